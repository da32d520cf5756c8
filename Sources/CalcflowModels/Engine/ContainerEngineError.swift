/// What went wrong talking to the container engine, as a value a caller can switch on.
public struct ContainerEngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The socket does not answer: the engine is not running, or the path is wrong.
        case engineUnreachable
        /// The image is not on the engine; images are never pulled.
        case imageNotFound
        /// No such container (removed meanwhile).
        case containerNotFound
        /// A container of that name exists, or it is in a state that refuses the request.
        case conflict
        /// The engine's API version is below what the controller needs.
        case unsupportedVersion
        /// Anything else the engine answered with an error.
        case engineFailed(status: Int)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
