/// The whole change one lifecycle event decided for a calculation's row: its state and typed reason,
/// its timestamps, its cancel flag and the mail to send. The API applies it in one place as a
/// compare-and-set against the state it was decided from; SQL never decides any of it.
public struct CalculationWrite: Sendable, Equatable {
    public enum Finish: Sendable, Equatable {
        /// Not a change of ending.
        case unchanged
        /// It ends now: `finished_at` is set and a pending cancel request is cleared.
        case finishes
        /// It runs again (a lost run's agent came back): `finished_at` is cleared.
        case reopens
    }

    public enum Approval: Sendable, Equatable {
        case unchanged
        /// A moderator let it run.
        case granted
        /// It waits for a moderator again.
        case withdrawn
    }

    public enum Claim: Sendable, Equatable {
        case unchanged
        /// No agent has it any more: it may be claimed again (`processed`, `started_at` and the
        /// claim's token are cleared).
        case released
    }

    /// The state it was decided from: the write applies only while the row still has it.
    public var from: CalculationLifecycle
    public var to: CalculationLifecycle
    public var finish: Finish
    public var notification: CalculationLifecycle.Notification?
    public var claim: Claim = .unchanged

    /// Whether it may run changes with it: only a pending calculation is not approved.
    public var approval: Approval {
        switch (from.state == .pendingApproval, to.state == .pendingApproval) {
        case (true, false): return .granted
        case (false, true): return .withdrawn
        default: return .unchanged
        }
    }

    public init(from: CalculationLifecycle, to: CalculationLifecycle, notification: CalculationLifecycle.Notification?) {
        self.from = from
        self.to = to
        self.notification = notification
        switch (from.state.isFinished, to.state.isFinished) {
        case (false, true): finish = .finishes
        case (true, false): finish = .reopens
        // A lost run that its agent reports finished after all ends again, now.
        case (true, true): finish = .finishes
        case (false, false): finish = .unchanged
        }
    }
}
