/// Why a process could not be run. A process that ran and failed is not an error: its exit code says so.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A file for its standard input or output.
        case cannotOpen
        /// The executable is missing or not executable, or the system refused.
        case cannotStart
    }

    public var code: Code
    public var message: String

    public var description: String { message }
}
