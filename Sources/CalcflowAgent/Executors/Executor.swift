import ChildProcesses
import Foundation

/// Where and how a step's command runs: here (`LocalExecutor`) or through a batch system (`SlurmExecutor`).
/// Either way the command's own exit code is written to `calcflow.exit` by a wrapper shell in the
/// step's folder, so a restarted agent finds it however long it was away.
protocol Executor: AnyObject, Sendable {
    var name: String { get }
    /// Runs to the end and returns the exit code.
    func run(_ command: ExecutorCommand, in folder: URL, calculationID: Int64, report: (String) -> Void) throws -> Int32
    /// Stops the calculation's running step.
    func cancel(calculationID: Int64)
    /// A step started by an earlier agent: waits for its exit code while it runs. Nil when it is gone without one.
    func reattach(folder: URL, calculationID: Int64, cancelled: () -> Bool) -> Int32?
}

struct ExecutorCommand {
    var executable: String
    var arguments: [String]
    var stdinFile: String?
    var environment: [String: String] = [:]
}

enum ExitCodeFile {
    /// The shell around every command: runs it, records the CPU time it used, then writes its exit
    /// code. Written by the shell's own echo, not through a temporary file and mv: a reader that finds
    /// the file empty (the moment between its creation and the write) takes it as not there yet.
    static let record = "echo $code > \(StepFiles.exitCode)"
    static let wrapper = "\"$0\" \"$@\"; code=$?; \(CPUTimeFile.record); \(record); exit $code"

    static func read(in folder: URL) -> Int32? {
        (try? String(contentsOf: folder.appendingPathComponent(StepFiles.exitCode), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// A shell word, quoted so that nothing in it is interpreted.
    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Runs a small command and returns its standard output and error (for sbatch, squeue, a code's version).
enum CommandLine {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in folder: URL? = nil) -> (status: Int32, output: String) {
        do {
            return try ChildProcess(executable: executable, arguments: arguments, workingDirectory: folder?.path, leadsProcessGroup: false).output()
        } catch {
            return (-1, "cannot run \(executable): \(error)")
        }
    }
}
