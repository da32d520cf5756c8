import JSON
import MariaDB

/// `controller_keys`: the model controllers' `mk_` keys, stored hashed, shown once.
struct ControllerKeyStore {
    let connection: Connection
    /// Raised on any change that could alter what a key authenticates.
    let keyGeneration: CacheGeneration

    func create(label: String, createdBy: Int64) throws(DatabaseError) -> (id: Int64, key: String) {
        let key = OpaqueToken.generate(prefix: "mk_")
        let result = try connection.execute(
            "INSERT INTO controller_keys (label, key_hash, key_prefix, created_by) VALUES (?, ?, ?, ?)",
            [.text(label), .text(OpaqueToken.hash(key)), .text(String(key.prefix(10))), createdBy > 0 ? .integer(createdBy) : .null])
        return (result.lastInsertID, key)
    }

    func list() throws(DatabaseError) -> [JSON] {
        try connection.query("SELECT \(APIKeyListing.columns) FROM controller_keys ORDER BY id LIMIT 1000").map(APIKeyListing.json)
    }

    func revoke(id: Int64) throws(DatabaseError) -> Bool {
        let result = try connection.execute("UPDATE controller_keys SET revoked_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND revoked_at IS NULL", [.integer(id)])
        keyGeneration.invalidate()
        return result.affectedRows > 0
    }

    /// The controller of an active key. Records the key's use at most once a minute.
    func controller(keyHash: String) throws(DatabaseError) -> ControllerIdentity? {
        guard let row = try connection.queryFirst(
            """
            SELECT id, label, last_used_at IS NULL OR last_used_at < CURRENT_TIMESTAMP(6) - INTERVAL 60 SECOND AS stale
            FROM controller_keys WHERE key_hash = ? AND revoked_at IS NULL
            """, [.text(keyHash)]) else { return nil }
        let id = row.int("id") ?? 0
        if row.bool("stale") { try connection.execute("UPDATE controller_keys SET last_used_at = CURRENT_TIMESTAMP(6) WHERE id = ?", [.integer(id)]) }
        return ControllerIdentity(keyID: id, label: row.string("label") ?? "")
    }
}
