import Foundation

/// Runs a step's command on this machine in a process group of its own, stdout and stderr to files
/// in the step's folder. Cancelling kills the whole group (an engine's MPI children included).
final class LocalExecutor: Executor, @unchecked Sendable {
    let name = "local"

    private let lock = NSLock()
    private var running: [Int64: Process] = [:]

    /// Runs to the end and returns the exit code; `-1` when it could not start.
    func run(_ command: ExecutorCommand, in folder: URL, calculationID: Int64, report: (String) -> Void) throws -> Int32 {
        let process = Process()
        // Foundation starts the child as the leader of a process group of its own (pgid = pid), so
        // the step and everything it starts can be signalled as one group. A small shell around the
        // command writes its exit code into the step's folder itself: an agent killed meanwhile finds
        // it there when it comes back.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", ExitCodeFile.wrapper, command.executable] + command.arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }
        environment["OMP_NUM_THREADS"] = environment["OMP_NUM_THREADS"] ?? "1"
        for (key, value) in command.environment { environment[key] = value }
        process.environment = environment
        FileManager.default.createFile(atPath: folder.appendingPathComponent("stdout.txt").path, contents: nil)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("stderr.txt").path, contents: nil)
        let output = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout.txt"))
        let errors = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr.txt"))
        defer { try? output.close(); try? errors.close() }
        process.standardOutput = output
        process.standardError = errors
        if let stdin = command.stdinFile { process.standardInput = FileHandle(forReadingAtPath: folder.appendingPathComponent(stdin).path) }
        else { process.standardInput = FileHandle.nullDevice }
        try process.run()
        // The pid is kept in the step folder: what ran where is on disk, for people and for re-attaching.
        try? String(process.processIdentifier).write(to: folder.appendingPathComponent(StepFiles.processID), atomically: true, encoding: .utf8)
        lock.lock(); running[calculationID] = process; lock.unlock()
        process.waitUntilExit()
        lock.lock(); running[calculationID] = nil; lock.unlock()
        return ExitCodeFile.read(in: folder) ?? process.terminationStatus
    }

    /// A step started by an earlier agent: waits for its exit code while its process lives.
    /// Nil when the process is gone without one (it was killed with the agent's whole session).
    func reattach(folder: URL, calculationID: Int64, cancelled: () -> Bool) -> Int32? {
        while true {
            if let code = ExitCodeFile.read(in: folder) { return code }
            guard let pid = (try? String(contentsOf: folder.appendingPathComponent(StepFiles.processID), encoding: .utf8))
                .flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                  FileManager.default.fileExists(atPath: "/proc/\(pid)") else {
                return ExitCodeFile.read(in: folder)
            }
            if cancelled() { Self.signal("TERM", "-\(pid)") }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// Sends SIGTERM to the calculation's process group, SIGKILL 10 s later if it is still there.
    func cancel(calculationID: Int64) {
        lock.lock()
        let process = running[calculationID]
        lock.unlock()
        guard let process, process.isRunning else { return }
        let group = "-\(process.processIdentifier)"
        Self.signal("TERM", group)
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) {
            if process.isRunning { Self.signal("KILL", group) }
        }
    }

    private static func signal(_ name: String, _ target: String) {
        CommandLine.run("/bin/kill", ["-\(name)", "--", target])
    }

    var runningIDs: [Int64] {
        lock.lock(); defer { lock.unlock() }
        return Array(running.keys)
    }
}
