public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public var curlCode: Int
    public var message: String

    public init(curlCode: Int, message: String) {
        self.curlCode = curlCode
        self.message = message
    }

    public var description: String { "curl error \(curlCode): \(message)" }
}
