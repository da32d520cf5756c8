/// The calculation state machine as a value: each event returns what must happen, or throws when the
/// event makes no sense in the current state. Handlers never decide transitions with `if` chains.
public struct CalculationLifecycle: Sendable, Equatable {
    public private(set) var state: CalculationState
    /// Why it is as it is: lost, cancelled by someone, waiting for approval, the agent's reason.
    public private(set) var reason: StateReason?

    public init(state: CalculationState, reason: StateReason? = nil) {
        self.state = state
        self.reason = reason
    }

    /// As a row stores it: the reason as text.
    public init(state: CalculationState, storedReason: String?) {
        self.init(state: state, reason: StateReason(stored: storedReason, state: state))
    }

    public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
        public var from: CalculationState
        public var event: String
        public var description: String { "a \(from.rawValue) calculation cannot be \(event)" }
    }

    public enum Action: Sendable, Equatable {
        case none
        /// The new state is a finished one (or `lost`): notify by email.
        case notify(Notification)
        /// Moderators must look at it.
        case requestApproval
    }

    public enum Notification: String, Sendable, Equatable, CaseIterable {
        case succeeded, failed, notConverged = "not_converged", lost, cancelled, approvalNeeded = "approval_needed"
    }

    /// A new calculation: with a reason to be approved (`CalculationPolicy.approvalReason`), it
    /// waits for a moderator, and the reason says why.
    public static func created(approvalReason: String?) -> (CalculationLifecycle, Action) {
        guard let approvalReason else { return (CalculationLifecycle(state: .queued), .none) }
        return (CalculationLifecycle(state: .pendingApproval, reason: .awaitingApproval(approvalReason)), .requestApproval)
    }

    public mutating func approve() throws(IllegalTransition) -> CalculationWrite {
        guard state == .pendingApproval else { throw IllegalTransition(from: state, event: "approved") }
        let before = self
        state = .queued
        reason = nil
        return CalculationWrite(from: before, to: self, notification: nil)
    }

    /// Its input was changed before any agent took it. A change that needs approval (a user's, of
    /// what runs, where approval is required) sends an approved calculation back to the approvers,
    /// with their mail; other changes leave the state as it is (nil): an edit never approves.
    public mutating func edited(approvalReason: String?) throws(IllegalTransition) -> CalculationWrite? {
        guard isEditable else { throw IllegalTransition(from: state, event: "edited") }
        guard let approvalReason else { return nil }
        let before = self
        state = .pendingApproval
        reason = .awaitingApproval(approvalReason)
        return CalculationWrite(from: before, to: self, notification: before.state == .queued ? .approvalNeeded : nil)
    }

    public mutating func claim() throws(IllegalTransition) {
        guard state == Self.claimedFrom else { throw IllegalTransition(from: state, event: "claimed") }
        state = Self.claimedTo
        reason = nil
    }

    /// What a claim moves a calculation from and to: the claim procedure (migrations/0023) applies
    /// these in the server, in one round trip, for whichever calculation it picks.
    public static let claimedFrom = CalculationState.queued
    public static let claimedTo = CalculationState.running

    /// What a user's cancel does now: before the agent has it, it simply ends; while it runs, the
    /// agent is told through the heartbeat and reports `cancelled` itself.
    public enum CancelOutcome: Sendable, Equatable {
        case cancelled(CalculationWrite)
        case askAgent
    }

    public mutating func cancel(by who: String) throws(IllegalTransition) -> CancelOutcome {
        switch state {
        case .pendingApproval, .queued:
            let before = self
            state = .cancelled
            reason = .cancelled(by: who)
            return .cancelled(CalculationWrite(from: before, to: self, notification: .cancelled))
        case .running:
            return .askAgent
        default:
            throw IllegalTransition(from: state, event: "cancelled")
        }
    }

    /// The agent reports a state: the write it makes, or nil when it repeats the current state (so
    /// replays are harmless).
    public mutating func report(_ reported: CalculationState, reason: String?) throws(IllegalTransition) -> CalculationWrite? {
        if reported == state { return nil }
        let before = self
        switch (state, reported) {
        case (.running, .succeeded): state = .succeeded
        case (.running, .failed): state = .failed
        case (.running, .notConverged): state = .notConverged
        case (.running, .cancelled): state = .cancelled
        case (.failed, .running) where self.reason == .lost:
            // The agent came back: the run was never lost.
            state = .running
            self.reason = nil
            return CalculationWrite(from: before, to: self, notification: nil)
        case (.failed, _) where self.reason == .lost && reported.isFinished:
            state = reported
        default:
            throw IllegalTransition(from: state, event: "reported \(reported.rawValue)")
        }
        self.reason = reason.map(StateReason.reported)
        let notification: Notification? = switch state {
        case .succeeded: .succeeded
        case .failed: .failed
        case .notConverged: .notConverged
        case .cancelled: .cancelled
        default: nil
        }
        return CalculationWrite(from: before, to: self, notification: notification)
    }

    /// The cluster stopped heartbeating while this ran.
    public mutating func lose() throws(IllegalTransition) -> CalculationWrite {
        guard state == .running else { throw IllegalTransition(from: state, event: "lost") }
        let before = self
        state = .failed
        reason = .lost
        return CalculationWrite(from: before, to: self, notification: .lost)
    }

    /// Its agent's heartbeat no longer lists it, long after the claim. One the agent never reported on
    /// never reached it (the claim's answer was lost with an API host, and sent again found nothing):
    /// nothing of it ran, so it goes back to the queue, to be claimed again. One it did report on, it
    /// lost: the run is lost.
    public mutating func unlistedByItsAgent(everReported: Bool) throws(IllegalTransition) -> CalculationWrite {
        guard state == .running else { throw IllegalTransition(from: state, event: "unlisted by its agent") }
        if everReported { return try lose() }
        let before = self
        state = .queued
        reason = nil
        var write = CalculationWrite(from: before, to: self, notification: nil)
        write.claim = .released
        return write
    }

    /// Only a calculation no agent has taken can still be edited.
    public var isEditable: Bool { state == .pendingApproval || state == .queued }
}
