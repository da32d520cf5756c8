/// Who may manage clusters and their keys: admins (API.md). Everyone signed in may see them.
public enum ClusterPolicy {
    public enum Action: String, Sendable, CaseIterable {
        case edit, enable, disable, issueKey = "issue_key", revokeKey = "revoke_key", delete
    }

    /// The role the cluster routes that change something require.
    public static let managingRole = Role.admin

    public static func check(_ action: Action, role: Role, enabled: Bool) -> PolicyVerdict {
        guard role >= managingRole else { return .forbidden("managing clusters needs the admin role") }
        switch action {
        case .enable where enabled: return .conflict("the cluster is already enabled")
        case .disable where !enabled: return .conflict("the cluster is already disabled")
        default: return .allowed
        }
    }

    public static func allowedActions(role: Role, enabled: Bool) -> [Action] {
        Action.allCases.filter { check($0, role: role, enabled: enabled).isAllowed }
    }
}
