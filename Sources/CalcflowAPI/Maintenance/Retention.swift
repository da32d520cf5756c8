import MariaDB

/// Removes the rows of a table that are older than its retention, oldest first, a batch per
/// maintenance round, by the table's index on `created_at`.
struct Retention {
    /// The tables that grow with use and are kept for a while only.
    enum Table: String {
        /// Sent mails have done their work, and one still unsent after that long (no relay configured,
        /// or the relay refused it every time) is news nobody wants. Without it, every finished
        /// calculation left its mails' text and HTML in the outbox for good.
        case outbox
        /// Every prediction is recorded with its input and small response: a model under steady use
        /// writes a million rows in a day. A team keeps what it wants to retrain on through the export.
        case modelInvocations = "model_invocations"
    }

    let table: Table
    let days: Int
    /// Rows removed per maintenance round at most, so that one round stays short.
    static let batch = 5_000

    /// Returns how many rows it removed.
    @discardableResult
    func prune(on connection: Connection) throws(DatabaseError) -> Int64 {
        // The table's name comes from the enumeration above, never from input.
        try connection.execute("DELETE FROM \(table.rawValue) WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY created_at LIMIT ?",
                               [.integer(Int64(days)), .integer(Int64(Self.batch))]).affectedRows
    }
}
