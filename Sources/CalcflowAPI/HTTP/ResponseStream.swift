import FastCGI

/// A response written as it is produced (live streams, large exports), in constant memory.
/// A handler that used it returns `Response.streamed`.
public final class ResponseStream {
    private let request: FastCGIRequest
    private let requestID: String
    private(set) var started = false

    init(request: FastCGIRequest, requestID: String) {
        self.request = request
        self.requestID = requestID
    }

    /// Sends the status and headers; call once, before any `write`.
    public func start(status: Int = 200, headers: [(name: String, value: String)]) {
        guard !started else { return }
        started = true
        request.write(Response(status: status, headers: headers).serialized(requestID: requestID))
    }

    /// False once the client has gone away: stop producing.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool { request.write(bytes) }

    @discardableResult
    public func write(_ text: String) -> Bool { request.write(text) }

    @discardableResult
    public func flush() -> Bool { request.flush() }

    /// False once the client has gone, whether or not a write noticed it yet.
    public var isConnected: Bool { !request.peerHasClosed }
}
