import CalcflowCore
import MariaDB

/// The `users` table.
struct UserStore {
    let connection: Connection
    /// Told of every change, so that a block or a role change applies to the next request.
    let cache: CacheGeneration

    func find(id: Int64) throws(DatabaseError) -> UserRecord? {
        try connection.queryFirst("SELECT \(UserRecord.columns) FROM users WHERE id = ? AND deleted_at IS NULL", [.integer(id)])
            .map(UserRecord.init(row:))
    }

    /// The user and its password hash, for a login.
    func findForLogin(email: String) throws(DatabaseError) -> (UserRecord, passwordHash: String)? {
        guard let row = try connection.queryFirst(
            "SELECT \(UserRecord.columns), password_hash FROM users WHERE active_email = ?", [.text(email)]) else { return nil }
        return (UserRecord(row: row), row.string("password_hash") ?? "")
    }

    func passwordHash(id: Int64) throws(DatabaseError) -> String? {
        try connection.queryFirst("SELECT password_hash FROM users WHERE id = ? AND deleted_at IS NULL", [.integer(id)])?
            .string("password_hash")
    }

    func list(_ page: PageRequest) throws(DatabaseError) -> [UserRecord] {
        try connection.query(
            "SELECT \(UserRecord.columns) FROM users WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            [.integer(page.afterID ?? 0), .integer(Int64(page.limit + 1))]
        ).map(UserRecord.init(row:))
    }

    /// Nil when the email is taken.
    func create(email: String, name: String, role: Role, passwordHash: String) throws(DatabaseError) -> UserRecord? {
        do {
            let result = try connection.execute(
                "INSERT INTO users (email, name, role, password_hash) VALUES (?, ?, ?, ?)",
                [.text(email), .text(name), .text(role.rawValue), .text(passwordHash)])
            cache.invalidate()
            return try find(id: result.lastInsertID)
        } catch {
            if error.code == .duplicateEntry { return nil }
            throw error
        }
    }

    func update(id: Int64, _ change: UserChange, passwordHash: String?) throws(DatabaseError) {
        var assignments: [String] = []
        var values: [SQLValue] = []
        if let passwordHash {
            assignments.append("password_hash = ?")
            values.append(.text(passwordHash))
        }
        if let blocked = change.blocked {
            assignments.append("blocked = ?")
            values.append(SQLValue(blocked))
        }
        if let role = change.role {
            assignments.append("role = ?")
            values.append(.text(role.rawValue))
        }
        if let name = change.name {
            assignments.append("name = ?")
            values.append(.text(name))
        }
        if let level = change.emailLevel {
            assignments.append("email_level = ?")
            values.append(.text(level.rawValue))
        }
        // A new password, a block or a role change ends the sessions that were open.
        if passwordHash != nil || change.blocked == true || change.role != nil {
            assignments.append("session_epoch = session_epoch + 1")
        }
        guard !assignments.isEmpty else { return }
        values.append(.integer(id))
        try connection.execute("UPDATE users SET \(assignments.joined(separator: ", ")) WHERE id = ? AND deleted_at IS NULL", values)
        cache.invalidate()
    }

    func delete(id: Int64) throws(DatabaseError) {
        try connection.execute(
            "UPDATE users SET deleted_at = CURRENT_TIMESTAMP(6), session_epoch = session_epoch + 1 WHERE id = ? AND deleted_at IS NULL",
            [.integer(id)])
        cache.invalidate()
    }

    func endSessions(userID: Int64) throws(DatabaseError) {
        try connection.execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", [.integer(userID)])
        cache.invalidate()
    }
}
