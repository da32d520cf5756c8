/// One step of a calculation on the agent, as a value: the agent feeds it what it finds in the step's
/// folder and what happens to the run, and does what each event returns. Nothing else decides whether
/// a step is started, waited for, inspected, restarted or done, so that an agent restarted at any
/// moment goes on where the step was: a run is never started twice, a verdict stays what it was.
public struct StepLifecycle: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Prepare the step (copy from an earlier one, write the input) and start its command.
        case launch
        /// A run an earlier agent started: wait for its exit code.
        case reattach
        /// Validate and extract the output of a run that ended with this code, and report it.
        case inspect(exitCode: Int32)
        /// Prepare restart `number` from the step's own files and run it.
        case restart(number: Int)
        /// The step is over with this verdict.
        case finish(Verdict)
    }

    /// What the step's folder shows of its latest run.
    public struct Trace: Sendable, Equatable {
        /// Written by the shell around the command when it ended.
        public var exitCode: Int32?
        /// A run was started or being submitted (a pid, a job id, or the submitting marker).
        public var started: Bool
        /// A process or a batch job exists, or existed (a pid or a job id).
        public var launched: Bool

        public init(exitCode: Int32? = nil, started: Bool = false, launched: Bool = false) {
            self.exitCode = exitCode
            self.started = started
            self.launched = launched
        }
    }

    public private(set) var record: StepRecord
    /// How often a step that did not converge may go on from its own files.
    public let allowedRestarts: Int

    public init(record: StepRecord = StepRecord(), allowedRestarts: Int) {
        self.record = record
        self.allowedRestarts = max(0, allowedRestarts)
    }

    /// The agent takes the step up, for the first time or after a restart of its own.
    public mutating func begin(_ trace: Trace) -> Action {
        switch record.phase {
        case .finished:
            return .finish(record.verdict ?? .failed("the step's record has no verdict"))
        case .exited:
            if let code = record.exitCode { return .inspect(exitCode: code) }
            return runEnded(trace)
        case .new, .launching, .restarting:
            if let code = trace.exitCode { return exited(code) }
            if trace.started { return .reattach }
            return runAgain()
        }
    }

    /// The run ended with this exit code.
    public mutating func exited(_ code: Int32) -> Action {
        record.phase = .exited
        record.exitCode = code
        return .inspect(exitCode: code)
    }

    /// The run an earlier agent started is gone without an exit code.
    public mutating func vanished(_ trace: Trace) -> Action {
        if let code = trace.exitCode { return exited(code) }
        // Only about to be submitted when the agent stopped, and no job of its name: nothing ran.
        if !trace.launched { return runAgain() }
        return finish(.failed("its process ended without an exit code while the agent was away"))
    }

    /// The run's output was inspected and reported. A run that did not converge goes on from its
    /// own files while restarts are left, the engine can restart it, and no one cancelled it.
    public mutating func inspected(_ verdict: Verdict, canRestart: Bool) -> Action {
        if case .notConverged = verdict, canRestart, record.restarts < allowedRestarts {
            record.phase = .restarting
            record.restarts += 1
            record.exitCode = nil
            record.verdict = verdict
            return .restart(number: record.restarts)
        }
        return finish(verdict)
    }

    /// The engine found nothing to restart from: the step keeps the verdict of its last run.
    public mutating func restartUnavailable() -> Action {
        finish(record.verdict ?? .failed("the restart could not be prepared"))
    }

    /// Preparing or starting the run failed before it ran.
    public mutating func launchFailed(_ reason: String) -> Action {
        finish(.failed(reason))
    }

    private mutating func runEnded(_ trace: Trace) -> Action {
        if let code = trace.exitCode { return exited(code) }
        return runAgain()
    }

    private mutating func runAgain() -> Action {
        if record.phase == .restarting { return .restart(number: record.restarts) }
        record.phase = .launching
        return .launch
    }

    private mutating func finish(_ verdict: Verdict) -> Action {
        record.phase = .finished
        record.verdict = verdict
        return .finish(verdict)
    }
}
