import CFastCGI

/// One accepted FastCGI request: the CGI parameters nginx sent, the body, and the output stream.
/// It lives for one `respond(to:)` call on the thread that accepted it.
public final class FastCGIRequest {
    private let request: UnsafeMutablePointer<FCGX_Request>
    /// False once a write failed: the client (or nginx) went away.
    public private(set) var isConnected = true
    /// True once the body was read to its end: nothing unread is left on the connection.
    private(set) var inputDrained = false

    init(_ request: UnsafeMutablePointer<FCGX_Request>) {
        self.request = request
    }

    public func parameter(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, request.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// Reads the body, at most `limit` bytes; nil when there is more than that.
    public func readBody(limit: Int) -> [UInt8]? {
        var body: [UInt8] = []
        var chunk = [CChar](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBufferPointer { FCGX_GetStr($0.baseAddress, Int32($0.count), request.pointee.in) }
            if count <= 0 {
                inputDrained = true
                break
            }
            if body.count + Int(count) > limit { return nil }
            body.append(contentsOf: chunk.prefix(Int(count)).lazy.map { UInt8(bitPattern: $0) })
        }
        return body
    }

    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard isConnected else { return false }
        if bytes.isEmpty { return true }
        let written = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out) }
        }
        if written != Int32(bytes.count) { isConnected = false }
        return isConnected
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// True once nginx has hung up (its client left): long-lived responses stop without waiting to write.
    public var peerHasClosed: Bool {
        if !isConnected { return true }
        if cfastcgi_peer_closed(request.pointee.ipcFd) != 0 { isConnected = false }
        return !isConnected
    }

    /// Pushes what was written so far to nginx now (for streamed responses).
    @discardableResult
    public func flush() -> Bool {
        guard isConnected else { return false }
        if FCGX_FFlush(request.pointee.out) != 0 { isConnected = false }
        return isConnected
    }
}
