import Foundation

/// Runs a step's command on this machine in a process group of its own, stdout and stderr to files
/// in the step's folder. Cancelling kills the whole group (an engine's MPI children included).
final class LocalExecutor: @unchecked Sendable {
    struct Command {
        var executable: String
        var arguments: [String]
        var stdinFile: String?
        var environment: [String: String] = [:]
    }

    private let lock = NSLock()
    private var running: [Int64: Process] = [:]

    /// Runs to the end and returns the exit code; `-1` when it could not start.
    func run(_ command: Command, in folder: URL, calculationID: Int64) throws -> Int32 {
        let process = Process()
        // Foundation starts the child as the leader of a process group of its own (pgid = pid), so
        // the step and everything it starts can be signalled as one group.
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
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
        try? String(process.processIdentifier).write(to: folder.appendingPathComponent("calcflow.pid"), atomically: true, encoding: .utf8)
        lock.lock(); running[calculationID] = process; lock.unlock()
        process.waitUntilExit()
        lock.lock(); running[calculationID] = nil; lock.unlock()
        try? String(process.terminationStatus).write(to: folder.appendingPathComponent("calcflow.exit"), atomically: true, encoding: .utf8)
        return process.terminationStatus
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
        let kill = Process()
        kill.executableURL = URL(fileURLWithPath: "/bin/kill")
        kill.arguments = ["-\(name)", "--", target]
        try? kill.run()
        kill.waitUntilExit()
    }

    var runningIDs: [Int64] {
        lock.lock(); defer { lock.unlock() }
        return Array(running.keys)
    }
}
