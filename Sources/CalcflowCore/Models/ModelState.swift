/// A model container's state, as the controller reports it and the dashboard shows it.
public enum ModelState: String, Sendable, CaseIterable {
    case stopped
    case starting
    case healthy
    case unhealthy
    case restarting
    case failed
    /// Not a state of the lifecycle: what the API shows when the model's controller has gone silent.
    case unknown

    /// Wants a person's attention: it does not answer, or nobody can tell.
    public var needsAttention: Bool {
        switch self {
        case .unhealthy, .failed, .unknown: return true
        case .stopped, .starting, .healthy, .restarting: return false
        }
    }
}

/// What a person asked for: the controller makes it so.
public enum DesiredModelState: String, Sendable, CaseIterable {
    case running
    case stopped
}
