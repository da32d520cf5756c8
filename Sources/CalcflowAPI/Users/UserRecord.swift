import CalcflowCore
import JSON
import MariaDB

/// A row of `users`, as the API shows it (never with its password hash).
public struct UserRecord: Sendable, Equatable {
    public var id: Int64
    public var email: String
    public var name: String
    public var role: Role
    public var blocked: Bool
    public var emailLevel: EmailLevel
    public var sessionEpoch: Int64
    public var createdAt: String?

    static let columns = "id, email, name, role, blocked, email_level, session_epoch, created_at"

    init(row: Row) {
        id = row.int("id") ?? 0
        email = row.string("email") ?? ""
        name = row.string("name") ?? ""
        role = row.string("role").flatMap(Role.init(rawValue:)) ?? .user
        blocked = row.bool("blocked")
        emailLevel = row.string("email_level").flatMap(EmailLevel.init(rawValue:)) ?? .info
        sessionEpoch = row.int("session_epoch") ?? 0
        createdAt = Timestamp.rfc3339(fromDatabase: row.string("created_at"))
    }

    var party: UserPolicy.Party { UserPolicy.Party(id: id, role: role) }

    var json: JSON {
        [
            "id": .integer(id), "email": .string(email), "name": .string(name), "role": .string(role.rawValue),
            "blocked": .bool(blocked), "email_level": .string(emailLevel.rawValue), "created_at": JSON(createdAt),
        ]
    }
}
