/// Why a document could not be parsed or printed.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public init(message: String, line: Int = 0, column: Int = 0) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        line > 0 ? "\(message) (line \(line), column \(column))" : message
    }
}
