import Dispatch
import Subprocess
import SystemPackage

/// A process to start: what runs, where, and where its standard streams go. `run` blocks the calling
/// thread until it ends: the agent's workers are threads, and swift-subprocess waits for the child
/// on its own event loop meanwhile (pidfd), so no thread polls.
public struct ChildProcess: Sendable {
    public enum Destination: Sendable, Equatable {
        case discarded
        /// Created, or truncated when it exists.
        case file(String)
    }

    public var executable: String
    public var arguments: [String]
    public var workingDirectory: String?
    /// Nil: this process's own environment.
    public var environment: [String: String]?
    /// A file to read standard input from; nil reads nothing (`/dev/null`).
    public var standardInput: String?
    public var standardOutput: Destination
    public var standardError: Destination
    /// The child leads a process group of its own, so that it and everything it starts (an engine's
    /// MPI ranks) are signalled as one with `ProcessGroup.signal`.
    public var leadsProcessGroup: Bool

    public init(executable: String, arguments: [String] = [], workingDirectory: String? = nil, environment: [String: String]? = nil,
                standardInput: String? = nil, standardOutput: Destination = .discarded, standardError: Destination = .discarded,
                leadsProcessGroup: Bool = true) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.leadsProcessGroup = leadsProcessGroup
    }

    /// Runs it to the end and returns its exit code; a child killed by a signal gives 128 + the
    /// signal's number, as a shell reports it. `started` learns the process id as soon as it has one.
    public func run(started: @escaping @Sendable (Int32) -> Void = { _ in }) throws(ChildProcessError) -> Int32 {
        let configuration = try self.configuration()
        let input = try inputDescriptor()
        let output = try outputDescriptor(standardOutput)
        let error = try outputDescriptor(standardError)
        return try Self.blocking {
            let result = try await Subprocess.run(configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                                                  output: .fileDescriptor(output, closeAfterSpawningProcess: true),
                                                  error: .fileDescriptor(error, closeAfterSpawningProcess: true)) { execution in
                started(execution.processIdentifier.value)
            }
            return Self.exitCode(result.terminationStatus)
        }
    }

    /// Runs it to the end and returns its exit code with what it wrote to standard output and
    /// standard error, together, up to `limit` bytes (for sbatch, squeue, a code's `--version`).
    public func output(limit: Int = 1 << 20) throws(ChildProcessError) -> (status: Int32, output: String) {
        let configuration = try self.configuration()
        let input = try inputDescriptor()
        return try Self.blocking {
            let result = try await Subprocess.run(configuration, input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                                                  output: .string(limit: limit), error: .combinedWithOutput)
            return (Self.exitCode(result.terminationStatus), result.standardOutput)
        }
    }

    private func configuration() throws(ChildProcessError) -> Configuration {
        var options = PlatformOptions()
        if leadsProcessGroup { options.processGroupID = 0 }
        var keys: [Environment.Key: String] = [:]
        for (name, value) in environment ?? [:] {
            guard let key = Environment.Key(rawValue: name) else {
                throw ChildProcessError(code: .cannotStart, message: "\(executable): the environment variable name '\(name)' is not valid")
            }
            keys[key] = value
        }
        return Configuration(executable: .path(FilePath(executable)), arguments: Arguments(arguments),
                             environment: environment == nil ? .inherit : .custom(keys),
                             workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options)
    }

    private func inputDescriptor() throws(ChildProcessError) -> FileDescriptor {
        let path = standardInput ?? "/dev/null"
        do { return try FileDescriptor.open(FilePath(path), .readOnly) }
        catch { throw ChildProcessError(code: .cannotOpen, message: "cannot read \(path): \(error)") }
    }

    private func outputDescriptor(_ destination: Destination) throws(ChildProcessError) -> FileDescriptor {
        let path: String
        switch destination {
        case .discarded: path = "/dev/null"
        case .file(let file): path = file
        }
        do {
            return try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate],
                                           permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw ChildProcessError(code: .cannotOpen, message: "cannot write \(path): \(error)")
        }
    }

    private static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// Waits on this thread for work done on swift-subprocess's tasks.
    private static func blocking<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) throws(ChildProcessError) -> Value {
        let completion = Completion<Value>()
        Task { completion.finish(await Result { try await operation() }) }
        switch completion.wait() {
        case .success(let value): return value
        case .failure(let error as ChildProcessError): throw error
        case .failure(let error): throw ChildProcessError(code: .cannotStart, message: "\(error)")
        }
    }
}

/// The one hand-off from a task to the thread waiting for it.
private final class Completion<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    func finish(_ result: Result<Value, any Error>) {
        self.result = result
        done.signal()
    }

    func wait() -> Result<Value, any Error> {
        done.wait()
        return result!
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
