/// Where one step of a calculation is, as the agent keeps it in the step's folder: written after
/// every change of `StepLifecycle`, read back by an agent that restarts.
public struct StepRecord: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable {
        /// Nothing was started yet.
        case new
        /// Its command is being prepared and started, or runs.
        case launching
        /// The command ended with `exitCode`; its output is to be inspected and reported.
        case exited
        /// It did not converge and goes on from its own files: restart number `restarts` is being
        /// prepared and started, or runs.
        case restarting
        /// Reported with `verdict`; nothing of it runs again.
        case finished
    }

    public var phase: Phase
    /// Restarts begun so far.
    public var restarts: Int
    public var exitCode: Int32?
    /// The final verdict when finished; while restarting, the verdict of the run before.
    public var verdict: Verdict?

    /// Whether the record says something the step's folder does not: a launched or exited run shows
    /// itself there (its pid or job id, its exit code), a restart and a verdict do not. Only these
    /// records are written, each once: a campaign of small calculations pays one fsync per step.
    public var saysMoreThanTheFolder: Bool { phase == .restarting || phase == .finished }

    public init(phase: Phase = .new, restarts: Int = 0, exitCode: Int32? = nil, verdict: Verdict? = nil) {
        self.phase = phase
        self.restarts = restarts
        self.exitCode = exitCode
        self.verdict = verdict
    }
}
