/// Input that a person must correct: which field, and what is wrong with it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String?
    public var message: String

    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
