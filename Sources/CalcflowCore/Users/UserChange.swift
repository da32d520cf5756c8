/// The fields of `PATCH /users/{id}` that were present in the request.
public struct UserChange: Sendable, Equatable {
    public var password: String?
    public var blocked: Bool?
    public var role: Role?
    public var name: String?
    public var emailLevel: EmailLevel?

    public init(password: String? = nil, blocked: Bool? = nil, role: Role? = nil, name: String? = nil, emailLevel: EmailLevel? = nil) {
        self.password = password
        self.blocked = blocked
        self.role = role
        self.name = name
        self.emailLevel = emailLevel
    }

    public var isEmpty: Bool { self == UserChange() }
}
