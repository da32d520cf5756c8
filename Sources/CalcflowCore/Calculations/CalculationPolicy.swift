/// Who may do what to a calculation, and when a person must look at it first: API.md's rules for
/// calculations, in one place.
public enum CalculationPolicy {
    public enum Action: String, Sendable, CaseIterable {
        case edit, cancel, rerun, approve, delete
    }

    /// What the routes need to know of a calculation to decide.
    public struct Subject: Sendable {
        public var createdBy: Int64
        public var lifecycle: CalculationLifecycle
        public var processed: Bool
        public var cancelRequested: Bool

        public init(createdBy: Int64, lifecycle: CalculationLifecycle, processed: Bool, cancelRequested: Bool) {
            self.createdBy = createdBy
            self.lifecycle = lifecycle
            self.processed = processed
            self.cancelRequested = cancelRequested
        }
    }

    /// May `actor` do `action` to this calculation now? The routes enforce it; `allowed_actions` lists it.
    public static func check(_ action: Action, actor: UserPolicy.Party, on subject: Subject) -> PolicyVerdict {
        let state = subject.lifecycle.state
        switch action {
        case .edit, .cancel, .delete:
            guard UserPolicy.canChange(actor: actor, createdBy: subject.createdBy) else {
                return .forbidden("you can only \(action.rawValue) calculations you created")
            }
        case .approve:
            guard actor.role >= .moderator else { return .forbidden("approving calculations needs the moderator role") }
        case .rerun:
            break
        }
        switch action {
        case .edit:
            guard !subject.processed, subject.lifecycle.isEditable else {
                return .conflict("calculation is \(state.rawValue): only a calculation no agent has taken can be edited; rerun it instead")
            }
        case .cancel:
            if state.isFinished { return .conflict("a \(state.rawValue) calculation cannot be cancelled") }
            if state == .running && subject.cancelRequested { return .conflict("the agent has already been asked to cancel it") }
        case .approve:
            guard state == .pendingApproval else { return .conflict("a \(state.rawValue) calculation cannot be approved") }
        case .delete:
            guard state != .running else { return .conflict("the calculation is running; cancel it first") }
        case .rerun:
            break
        }
        return .allowed
    }

    public static func allowedActions(actor: UserPolicy.Party, on subject: Subject) -> [Action] {
        Action.allCases.filter { check($0, actor: actor, on: subject).isAllowed }
    }

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

    /// How many of a cluster's calculations may run at once: its `max_running`, or no limit when that is 0.
    public static func runningLimit(maxRunning: Int64) -> Int64? {
        maxRunning > 0 ? maxRunning : nil
    }
}

extension ClosedRange {
    /// The nearest value inside the range.
    public func clamped(_ value: Bound) -> Bound { Swift.min(Swift.max(value, lowerBound), upperBound) }
}
