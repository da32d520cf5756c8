import CalcflowCore
import Foundation

/// The files the agent keeps beside a calculation's own, by name, in one place: what ran, how it
/// ended and what was reported, so that a restarted agent finds it all on disk.
enum StepFiles {
    // In a step's folder.
    /// The command's exit code, written by the shell around it (`ExitCodeFile`).
    static let exitCode = "calcflow.exit"
    /// The local process's id, for re-attaching to it.
    static let processID = "calcflow.pid"
    /// The Slurm job's id.
    static let jobID = "calcflow.jobid"
    /// Present while a Slurm job is being submitted and has no id yet.
    static let submitting = "calcflow.submitting"
    /// The Slurm job script.
    static let jobScript = "calcflow-job.sh"
    /// The step's `StepRecord`: where its lifecycle is (`StepRecordFile`).
    static let record = "calcflow.step.json"
    /// The verdict alone, as agents before 2026-12 kept it.
    static let legacyVerdict = "calcflow.reported"
    /// The CPU time of each run (`CPUTimeFile`).
    static let cpuTime = "calcflow.cpu"

    /// Any of these: the step was started by an earlier agent, and is waited for, not started again.
    static let startedMarkers = [exitCode, processID, jobID, submitting]
    /// Any of these: the step's process or job exists (or existed) somewhere.
    static let launchedMarkers = [processID, jobID]

    /// What the step's folder shows of its latest run, for its lifecycle.
    static func trace(in folder: URL) -> StepLifecycle.Trace {
        let exists = { (name: String) in FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }
        return StepLifecycle.Trace(exitCode: ExitCodeFile.read(in: folder), started: startedMarkers.contains(where: exists),
                                   launched: launchedMarkers.contains(where: exists))
    }

    // In the calculation's folder.
    /// The claim as the API gave it: its presence means a restarted agent resumes the calculation.
    static let claim = "calcflow.claim.json"
    /// The calculation has ended here; nothing is resumed.
    static let done = "calcflow.done"
    /// The numbers of its events (`EventCounter`).
    static let eventNumbers = "calcflow.seq"
}
