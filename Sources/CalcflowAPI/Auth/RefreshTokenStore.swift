import CalcflowCore
import Crypto
import MariaDB

/// Refresh tokens: opaque, stored hashed, rotated on every use. A rotated token presented again
/// means it was stolen (or replayed), so its whole family is revoked.
struct RefreshTokenStore {
    let connection: Connection
    let lifetimeSeconds: Int

    enum Outcome {
        case rotated(userID: Int64, newToken: String)
        /// Unknown, expired or revoked: the caller answers 401.
        case refused(String)
    }

    /// Starts a new family (a login) and returns its first token.
    func issue(userID: Int64, userAgent: String, address: String) throws(DatabaseError) -> String {
        try insert(userID: userID, familyID: Hex.encode(SecureRandom.bytes(16)), userAgent: userAgent, address: address)
    }

    private func insert(userID: Int64, familyID: String, userAgent: String, address: String) throws(DatabaseError) -> String {
        let token = OpaqueToken.generate()
        try connection.execute(
            """
            INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, user_agent, address)
            VALUES (?, ?, ?, CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND, ?, ?)
            """,
            [.integer(userID), .text(familyID), .text(OpaqueToken.hash(token)), .integer(Int64(lifetimeSeconds)),
             .text(userAgent.prefix(codePoints: 255)), .text(address.prefix(codePoints: 64))])
        return token
    }

    func rotate(_ token: String, userAgent: String, address: String) throws -> Outcome {
        try connection.transaction { connection in
            guard let row = try connection.queryFirst(
                """
                SELECT id, user_id, family_id, rotated_at IS NOT NULL AS rotated, revoked_at IS NOT NULL AS revoked,
                       expires_at <= CURRENT_TIMESTAMP(6) AS expired
                FROM refresh_tokens WHERE token_hash = ? FOR UPDATE
                """, [.text(OpaqueToken.hash(token))]) else {
                return .refused("your session is unknown; sign in again")
            }
            let familyID = row.string("family_id") ?? ""
            if row.bool("rotated") {
                try revokeFamily(familyID)
                return .refused("this session was already refreshed elsewhere, so it has been ended for safety; sign in again")
            }
            if row.bool("revoked") { return .refused("your session has ended; sign in again") }
            if row.bool("expired") { return .refused("your session has expired; sign in again") }
            let userID = row.int("user_id") ?? 0
            try connection.execute("UPDATE refresh_tokens SET rotated_at = CURRENT_TIMESTAMP(6) WHERE id = ?", [.integer(row.int("id") ?? 0)])
            let newToken = try insert(userID: userID, familyID: familyID, userAgent: userAgent, address: address)
            return .rotated(userID: userID, newToken: newToken)
        }
    }

    /// Logout: the family of this token ends.
    func revoke(_ token: String) throws(DatabaseError) {
        guard let row = try connection.queryFirst(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = ?", [.text(OpaqueToken.hash(token))]) else { return }
        try revokeFamily(row.string("family_id") ?? "")
    }

    func revokeFamily(_ familyID: String) throws(DatabaseError) {
        try connection.execute(
            "UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP(6) WHERE family_id = ? AND revoked_at IS NULL",
            [.text(familyID)])
    }

    func revokeAll(userID: Int64) throws(DatabaseError) {
        try connection.execute(
            "UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP(6) WHERE user_id = ? AND revoked_at IS NULL",
            [.integer(userID)])
    }
}
