/// Who may do what to which user account: API.md's role matrix, in one place.
public enum UserPolicy {
    public struct Party: Sendable, Equatable {
        public var id: Int64
        public var role: Role
        public init(id: Int64, role: Role) {
            self.id = id
            self.role = role
        }
    }

    public typealias Verdict = PolicyVerdict

    /// What the dashboard offers on a user: each maps to one check below.
    public enum Action: String, Sendable, CaseIterable {
        case edit, setPassword = "set_password", block, unblock, changeRole = "change_role", delete, revokeSessions = "revoke_sessions"
    }

    public static func check(_ action: Action, actor: Party, target: Party, targetBlocked: Bool) -> Verdict {
        switch action {
        case .edit: return canApply(UserChange(name: ""), actor: actor, target: target)
        case .setPassword: return canApply(UserChange(password: ""), actor: actor, target: target)
        case .block: return targetBlocked ? .conflict("the user is already blocked") : canApply(UserChange(blocked: true), actor: actor, target: target)
        case .unblock: return targetBlocked ? canApply(UserChange(blocked: false), actor: actor, target: target) : .conflict("the user is not blocked")
        case .changeRole:
            guard actor.role == .admin else { return .forbidden("changing roles needs the admin role") }
            return actor.id == target.id ? .conflict("an admin cannot demote itself; ask another admin") : .allowed
        case .delete: return canDelete(actor: actor, target: target)
        case .revokeSessions: return canRevokeSessions(actor: actor)
        }
    }

    public static func allowedActions(actor: Party, target: Party, targetBlocked: Bool) -> [Action] {
        Action.allCases.filter { check($0, actor: actor, target: target, targetBlocked: targetBlocked).isAllowed }
    }

    /// Calculations and molecules: a user changes (edits, cancels, deletes) only what it created;
    /// moderators and admins, anything.
    public static func canChange(actor: Party, createdBy: Int64?) -> Bool {
        actor.role >= .moderator || (createdBy != nil && actor.id == createdBy)
    }

    public static func canList(actor: Party) -> Verdict {
        actor.role >= .moderator ? .allowed : .forbidden("listing users needs the moderator role")
    }

    public static func canView(actor: Party, target: Party) -> Verdict {
        if actor.id == target.id || actor.role >= .moderator { return .allowed }
        return .forbidden("you can only see your own account")
    }

    public static func canCreate(actor: Party) -> Verdict {
        actor.role == .admin ? .allowed : .forbidden("creating users needs the admin role")
    }

    public static func canDelete(actor: Party, target: Party) -> Verdict {
        guard actor.role == .admin else { return .forbidden("deleting users needs the admin role") }
        if actor.id == target.id { return .conflict("an admin cannot delete itself; ask another admin") }
        return .allowed
    }

    public static func canRevokeSessions(actor: Party) -> Verdict {
        actor.role == .admin ? .allowed : .forbidden("revoking sessions needs the admin role")
    }

    /// Moderators manage users and moderators; only admins manage admins.
    private static func manages(actor: Party, target: Party) -> Bool {
        actor.role == .admin || (actor.role == .moderator && target.role != .admin)
    }

    public static func canApply(_ change: UserChange, actor: Party, target: Party) -> Verdict {
        let isSelf = actor.id == target.id
        if let role = change.role {
            guard actor.role == .admin else { return .forbidden("changing roles needs the admin role") }
            if isSelf && role != .admin { return .conflict("an admin cannot demote itself; ask another admin") }
        }
        if let blocked = change.blocked {
            guard !isSelf else {
                return blocked ? .conflict("you cannot block yourself") : .forbidden("you cannot unblock yourself")
            }
            guard manages(actor: actor, target: target) else {
                return .forbidden(actor.role >= .moderator ? "only admins can block or unblock an admin" : "blocking users needs the moderator role")
            }
        }
        if change.password != nil && !isSelf && !manages(actor: actor, target: target) {
            return .forbidden(actor.role >= .moderator ? "only admins can change an admin's password" : "you can only change your own password")
        }
        if (change.name != nil || change.emailLevel != nil) && !isSelf && !manages(actor: actor, target: target) {
            return .forbidden("you can only edit your own account")
        }
        return .allowed
    }
}
