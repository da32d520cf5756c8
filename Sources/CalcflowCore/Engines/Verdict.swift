/// What validation concluded about a step's output.
public enum Verdict: Sendable, Equatable, Codable {
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

    /// `{"verdict": "converged" | "not_converged" | "failed", "reason": ...}`: the three stay three on disk.
    private enum CodingKeys: String, CodingKey { case verdict, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        switch try container.decode(String.self, forKey: .verdict) {
        case "converged": self = .converged
        case "not_converged": self = .notConverged(reason)
        case "failed": self = .failed(reason)
        case let other: throw DecodingError.dataCorruptedError(forKey: .verdict, in: container, debugDescription: "unknown verdict \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .converged: try container.encode("converged", forKey: .verdict)
        case .notConverged(let reason): try container.encode("not_converged", forKey: .verdict); try container.encode(reason, forKey: .reason)
        case .failed(let reason): try container.encode("failed", forKey: .verdict); try container.encode(reason, forKey: .reason)
        }
    }

    /// The word the API and `calcflow-agent inspect` use for it.
    public var name: String {
        switch self {
        case .converged: return "converged"
        case .notConverged: return "not_converged"
        case .failed: return "failed"
        }
    }
}
