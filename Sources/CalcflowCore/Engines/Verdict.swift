/// What validation concluded about a step's output.
public enum Verdict: Sendable, Equatable {
    case converged
    case notConverged(String)
    case failed(String)

    public var isSuccess: Bool { self == .converged }

    /// The calculation state a step with this verdict ends the calculation in.
    public var finalState: CalculationState {
        switch self {
        case .converged: return .succeeded
        case .notConverged: return .notConverged
        case .failed: return .failed
        }
    }

    public var reason: String? {
        switch self {
        case .converged: return nil
        case .notConverged(let reason), .failed(let reason): return reason
        }
    }
}
