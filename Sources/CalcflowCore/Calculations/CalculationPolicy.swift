/// Who may do what to a calculation, and when a person must look at it first: API.md's rules for
/// calculations, in one place.
public enum CalculationPolicy {
    /// A user may step back (down to -100), never push ahead of others; moderators and admins may.
    public static func priorityRange(for role: Role) -> ClosedRange<Int64> {
        role >= .moderator ? -100...100 : -100...0
    }

    public static func checkPriority(_ priority: Int64, role: Role) throws(ValidationError) {
        let range = priorityRange(for: role)
        guard range.contains(priority) else {
            throw ValidationError(field: "priority", message: role >= .moderator
                ? "must be between \(range.lowerBound) and \(range.upperBound)"
                : "must be between \(range.lowerBound) and \(range.upperBound) for a user: a user may lower its calculations' priority, and a moderator may raise it")
        }
    }

    /// Why a calculation of this content, created or changed by `role`, must wait for a moderator's
    /// approval; nil when it need not.
    public static func approvalReason(role: Role, engine: String, clusterName: String, clusterRequiresApproval: Bool) -> String? {
        guard role == .user else { return nil }
        if engine == "command" {
            return "a command calculation runs its script as the agent's user on the cluster: a moderator or admin must approve it"
        }
        if clusterRequiresApproval {
            return "cluster '\(clusterName)' requires a moderator's or admin's approval for a user's calculations"
        }
        return nil
    }
}

extension ClosedRange {
    /// The nearest value inside the range.
    public func clamped(_ value: Bound) -> Bound { Swift.min(Swift.max(value, lowerBound), upperBound) }
}
