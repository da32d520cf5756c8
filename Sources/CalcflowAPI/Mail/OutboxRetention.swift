import MariaDB

/// Removes mails older than the retention: sent ones have done their work, and one still unsent
/// after that long (no relay configured, or the relay refused it every time) is news nobody wants.
/// Without it, every finished calculation left its mails' text and HTML in the outbox for good.
struct OutboxRetention {
    let days: Int
    /// Rows removed per maintenance round at most, so that one round stays short.
    static let batch = 5_000

    /// Returns how many mails it removed.
    @discardableResult
    func prune(on connection: Connection) throws(DatabaseError) -> Int64 {
        try connection.execute("DELETE FROM outbox WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY created_at LIMIT ?",
                               [.integer(Int64(days)), .integer(Int64(Self.batch))]).affectedRows
    }
}
