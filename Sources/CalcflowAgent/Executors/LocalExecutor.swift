import ChildProcesses
import Foundation

/// Runs a step's command on this machine in a process group of its own, stdout and stderr to files
/// in the step's folder. Cancelling kills the whole group (an engine's MPI children included).
final class LocalExecutor: Executor, @unchecked Sendable {
    let name = "local"

    private let lock = NSLock()
    /// The process group leader of each calculation's running step.
    private var running: [Int64: Int32] = [:]

    /// Runs to the end and returns the exit code.
    func run(_ command: ExecutorCommand, in folder: URL, calculationID: Int64, report: (String) -> Void) throws -> Int32 {
        // The child leads a process group of its own, so the step and everything it starts are
        // signalled as one group. A small shell around the command writes its exit code into the
        // step's folder itself: an agent killed meanwhile finds it there when it comes back.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }
        environment["OMP_NUM_THREADS"] = environment["OMP_NUM_THREADS"] ?? "1"
        for (key, value) in command.environment { environment[key] = value }
        let process = ChildProcess(executable: "/bin/sh", arguments: ["-c", ExitCodeFile.wrapper, command.executable] + command.arguments,
                                   workingDirectory: folder.path, environment: environment,
                                   standardInput: command.stdinFile.map { folder.appendingPathComponent($0).path },
                                   standardOutput: .file(folder.appendingPathComponent("stdout.txt").path),
                                   standardError: .file(folder.appendingPathComponent("stderr.txt").path))
        let processIDFile = folder.appendingPathComponent(StepFiles.processID)
        let status = try process.run { [self] processID in
            // The pid is kept in the step folder: what ran where is on disk, for people and for
            // re-attaching. One small write, no fsync: after a power cut the process is gone anyway.
            try? SmallFile.write(String(processID), to: processIDFile)
            lock.withLock { running[calculationID] = processID }
        }
        lock.withLock { running[calculationID] = nil }
        return ExitCodeFile.read(in: folder) ?? status
    }

    /// A step started by an earlier agent: waits for its exit code while its process lives.
    /// Nil when the process is gone without one (it was killed with the agent's whole session).
    func reattach(folder: URL, calculationID: Int64, cancelled: () -> Bool) -> Int32? {
        while true {
            if let code = ExitCodeFile.read(in: folder) { return code }
            guard let processID = (try? String(contentsOf: folder.appendingPathComponent(StepFiles.processID), encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  ProcessGroup.exists(processID) else {
                return ExitCodeFile.read(in: folder)
            }
            if cancelled() { ProcessGroup.signal(.terminate, leader: processID) }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// Sends SIGTERM to the calculation's process group, SIGKILL 10 s later if the step still runs.
    func cancel(calculationID: Int64) {
        guard let leader = lock.withLock({ running[calculationID] }) else { return }
        ProcessGroup.signal(.terminate, leader: leader)
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) { [self] in
            if lock.withLock({ running[calculationID] == leader }) { ProcessGroup.signal(.kill, leader: leader) }
        }
    }

    var runningIDs: [Int64] {
        lock.lock(); defer { lock.unlock() }
        return Array(running.keys)
    }
}
