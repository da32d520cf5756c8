/// Why a calculation is in its state, typed. Stored as text in `state_reason` and shown as it reads.
public enum StateReason: Sendable, Equatable {
    /// Its cluster went silent while it ran.
    case lost
    /// A person cancelled it before an agent had it.
    case cancelled(by: String)
    /// Why it waits for a moderator (`CalculationPolicy.approvalReason`).
    case awaitingApproval(String)
    /// What the agent said.
    case reported(String)

    /// The text stored and shown, at most 2,000 characters.
    public var text: String {
        let full: String
        switch self {
        case .lost: full = "lost"
        case .cancelled(let who): full = "cancelled by \(who)"
        case .awaitingApproval(let why), .reported(let why): full = why
        }
        return String(full.prefix(2_000))
    }

    /// Read back from the stored text, knowing the state it was stored with.
    public init?(stored text: String?, state: CalculationState) {
        guard let text else { return nil }
        switch state {
        case .failed where text == "lost": self = .lost
        case .cancelled where text.hasPrefix("cancelled by "): self = .cancelled(by: String(text.dropFirst("cancelled by ".count)))
        case .pendingApproval: self = .awaitingApproval(text)
        default: self = .reported(text)
        }
    }
}
