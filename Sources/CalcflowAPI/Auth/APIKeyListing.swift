import JSON
import MariaDB

/// How an API key (an agent's ck_, a controller's mk_) is listed: never its secret, only the prefix
/// that tells keys apart, and when it was made, last used and revoked.
enum APIKeyListing {
    static let columns = "id, label, key_prefix, created_at, last_used_at, revoked_at"

    static func json(_ row: Row) -> JSON {
        [
            "id": .integer(row.int("id") ?? 0), "label": .string(row.string("label") ?? ""),
            "prefix": .string(row.string("key_prefix") ?? ""),
            "created_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("created_at"))),
            "last_used_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("last_used_at"))),
            "revoked_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("revoked_at"))),
            "active": .bool(row.isNull("revoked_at")),
        ]
    }
}
