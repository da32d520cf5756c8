/// A calculation's lifecycle, shared by the API, the agent and the dashboard's labels.
public enum CalculationState: String, Sendable, CaseIterable {
    case pendingApproval = "pending_approval"
    case queued
    case running
    case succeeded
    case failed
    case notConverged = "not_converged"
    case cancelled

    public var isFinished: Bool {
        switch self {
        case .succeeded, .failed, .notConverged, .cancelled: return true
        case .pendingApproval, .queued, .running: return false
        }
    }

    /// Ended without the result asked for: what the dashboard lists as a failure, and mails at the ERROR level.
    public var isFailure: Bool {
        switch self {
        case .failed, .notConverged: return true
        case .pendingApproval, .queued, .running, .succeeded, .cancelled: return false
        }
    }
}
