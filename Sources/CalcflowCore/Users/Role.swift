/// `user` < `moderator` < `admin`: a higher role can do all that a lower one can.
public enum Role: String, Sendable, CaseIterable, Comparable {
    case user
    case moderator
    case admin

    private var rank: Int {
        switch self {
        case .user: return 0
        case .moderator: return 1
        case .admin: return 2
        }
    }

    public static func < (left: Role, right: Role) -> Bool { left.rank < right.rank }
}
