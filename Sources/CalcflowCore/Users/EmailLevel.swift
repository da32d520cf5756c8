/// How much mail a person wants about finished calculations.
public enum EmailLevel: String, Sendable, CaseIterable {
    /// Every finished calculation.
    case info = "INFO"
    /// Only failed, not converged and lost ones.
    case error = "ERROR"
    case none = "NONE"
}
