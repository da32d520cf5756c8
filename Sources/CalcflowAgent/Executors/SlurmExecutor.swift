import Foundation

/// Runs each step as a Slurm batch job: a generated script submitted with sbatch, followed with
/// squeue (and scontrol for the end state), cancelled with scancel. The job id is kept in the step's
/// folder (`calcflow.jobid`) and the script writes the command's exit code there itself, so an
/// agent that restarts follows the same job instead of submitting it again.
final class SlurmExecutor: Executor, @unchecked Sendable {
    let name = "slurm"
    let partition: String?
    let account: String?
    let extraOptions: [String]
    let binDirectory: String
    private let pollSeconds: Double
    private let lock = NSLock()
    private var jobs: [Int64: String] = [:]

    init(partition: String?, account: String?, extraOptions: [String], binDirectory: String, pollSeconds: Double = 1) {
        self.partition = partition
        self.account = account
        self.extraOptions = extraOptions
        self.binDirectory = binDirectory
        self.pollSeconds = pollSeconds
    }

    private func tool(_ name: String) -> String { "\(binDirectory)/\(name)" }

    func script(_ command: ExecutorCommand, folder: URL, calculationID: Int64) -> String {
        var lines = ["#!/bin/sh", "#SBATCH --job-name=calcflow-\(calculationID)-\(folder.lastPathComponent)",
                     "#SBATCH --output=stdout.txt", "#SBATCH --error=stderr.txt", "#SBATCH --chdir=\(folder.path)"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let account { lines.append("#SBATCH --account=\(account)") }
        lines += extraOptions.map { "#SBATCH \($0)" }
        lines.append("# Written by calcflow-agent: runs the step, then records its exit code in calcflow.exit.")
        for (key, value) in command.environment.sorted(by: { $0.key < $1.key }) { lines.append("export \(key)=\(ExitCodeFile.quoted(value))") }
        let invocation = ([command.executable] + command.arguments).map(ExitCodeFile.quoted).joined(separator: " ")
        let input = command.stdinFile.map { " < \(ExitCodeFile.quoted($0))" } ?? " < /dev/null"
        lines.append("\(invocation)\(input)")
        lines.append("code=$?")
        lines.append(CPUTimeFile.record)
        lines.append(ExitCodeFile.record)
        lines.append("exit $code")
        return lines.joined(separator: "\n") + "\n"
    }

    func run(_ command: ExecutorCommand, in folder: URL, calculationID: Int64, report: (String) -> Void) throws -> Int32 {
        try script(command, folder: folder, calculationID: calculationID).write(to: folder.appendingPathComponent(StepFiles.jobScript), atomically: true, encoding: .utf8)
        // Written before sbatch: an agent killed before it learns the job id finds the job by its name.
        try SmallFile.write("", to: folder.appendingPathComponent(StepFiles.submitting))
        let submitted = CommandLine.run(tool("sbatch"), ["--parsable", StepFiles.jobScript], in: folder)
        let jobID = submitted.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard submitted.status == 0, Int(jobID) != nil else {
            throw EngineError(message: "sbatch refused the job: \(submitted.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        try jobID.write(to: folder.appendingPathComponent(StepFiles.jobID), atomically: true, encoding: .utf8)
        report("submitted to Slurm as job \(jobID)")
        lock.withLock { jobs[calculationID] = jobID }
        defer { lock.withLock { _ = jobs.removeValue(forKey: calculationID) } }
        return wait(jobID: jobID, folder: folder, cancelled: { false }) ?? -1
    }

    /// Follows the job until it leaves the queue, then reads the exit code the script wrote; a job
    /// that ended before its script could (cancelled, out of time) answers through scontrol.
    private func wait(jobID: String, folder: URL, cancelled: () -> Bool) -> Int32? {
        while true {
            if let code = ExitCodeFile.read(in: folder) { return code }
            let state = CommandLine.run(tool("squeue"), ["-h", "-j", jobID, "-o", "%T"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            if state.isEmpty || ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED"].contains(state) {
                Thread.sleep(forTimeInterval: 0.2)
                if let code = ExitCodeFile.read(in: folder) { return code }
                return schedulerExitCode(jobID: jobID)
            }
            if cancelled() { CommandLine.run(tool("scancel"), [jobID]) }
            Thread.sleep(forTimeInterval: pollSeconds)
        }
    }

    /// `ExitCode=2:0` from scontrol (it remembers finished jobs for MinJobAge), else sacct's job completion log.
    func schedulerExitCode(jobID: String) -> Int32? {
        let shown = CommandLine.run(tool("scontrol"), ["show", "job", jobID]).output
        if let range = shown.range(of: "ExitCode=") {
            let value = shown[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
            let parts = value.split(separator: ":")
            if let code = parts.first.flatMap({ Int32($0) }), let signal = parts.last.flatMap({ Int32($0) }) {
                return signal != 0 ? 128 + signal : code
            }
        }
        let accounted = CommandLine.run(tool("sacct"), ["-c", "-n", "-j", jobID, "-o", "ExitCode"]).output
        if let code = accounted.split(separator: "\n").first?.split(separator: ":").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
            return code
        }
        return nil
    }

    func cancel(calculationID: Int64) {
        guard let jobID = lock.withLock({ jobs[calculationID] }) else { return }
        CommandLine.run(tool("scancel"), [jobID])
    }

    func reattach(folder: URL, calculationID: Int64, cancelled: () -> Bool) -> Int32? {
        if let code = ExitCodeFile.read(in: folder) { return code }
        var jobID = (try? String(contentsOf: folder.appendingPathComponent(StepFiles.jobID), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if jobID.isEmpty {
            // Killed between sbatch and its answer: the job, if Slurm took it, carries the step's name.
            let name = "calcflow-\(calculationID)-\(folder.lastPathComponent)"
            jobID = CommandLine.run(tool("squeue"), ["-h", "-n", name, "-o", "%i"]).output
                .split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !jobID.isEmpty else { return nil }
            try? jobID.write(to: folder.appendingPathComponent(StepFiles.jobID), atomically: true, encoding: .utf8)
        }
        lock.withLock { jobs[calculationID] = jobID }
        defer { lock.withLock { _ = jobs.removeValue(forKey: calculationID) } }
        return wait(jobID: jobID, folder: folder, cancelled: cancelled)
    }
}
