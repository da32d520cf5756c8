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
}

/// What a person asked for: the controller makes it so.
public enum DesiredModelState: String, Sendable, CaseIterable {
    case running
    case stopped
}
