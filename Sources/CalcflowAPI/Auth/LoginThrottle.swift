import CalcflowCore
import MariaDB

/// Counts failed logins per email and per client address in the database, so that every API
/// process behind nginx sees the same count.
struct LoginThrottle {
    let connection: Connection
    let limit: Int
    let windowSeconds: Int

    func isThrottled(email: String, address: String) throws(DatabaseError) -> Bool {
        let row = try connection.queryFirst(
            """
            SELECT
              (SELECT COUNT(*) FROM login_failures WHERE email = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_email,
              (SELECT COUNT(*) FROM login_failures WHERE address = ? AND created_at > CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND) AS by_address
            """,
            [.text(email), .integer(Int64(windowSeconds)), .text(address), .integer(Int64(windowSeconds))])
        let byEmail = row?.int("by_email") ?? 0
        let byAddress = row?.int("by_address") ?? 0
        return byEmail >= limit || byAddress >= limit
    }

    func recordFailure(email: String, address: String) throws(DatabaseError) {
        try connection.execute("INSERT INTO login_failures (email, address) VALUES (?, ?)",
                               [.text(email.prefix(codePoints: 254)), .text(address.prefix(codePoints: 64))])
        // Old rows only ever matter for the window; keep the table small as it goes.
        try connection.execute("DELETE FROM login_failures WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL 1 DAY LIMIT 100")
    }

    /// A successful login forgives that email's earlier typos (the address's count stays).
    func clear(email: String) throws(DatabaseError) {
        try connection.execute("DELETE FROM login_failures WHERE email = ?", [.text(email)])
    }
}
