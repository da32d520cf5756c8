/// Answers requests on one worker thread. Each thread makes its own responder, so a responder may
/// own per-thread resources (a database connection) without locks.
public protocol FastCGIResponder: AnyObject {
    func respond(to request: FastCGIRequest)
}

/// One socket and the pool of threads that serves it.
public struct FastCGIListener: Sendable {
    public var socketPath: String
    public var threadCount: Int
    /// Octal permissions of the socket file, so that nginx's user can connect.
    public var socketMode: UInt32
    /// The group that owns the socket file: the one nginx's workers are in (nil: the process's own).
    public var socketGroup: String?
    public var backlog: Int32
    public var makeResponder: @Sendable (_ threadIndex: Int) -> FastCGIResponder

    /// `address:port` (FastCGI over TCP, for nginx on another host) rather than a socket file's path.
    public var isNetworkAddress: Bool { !socketPath.hasPrefix("/") && socketPath.contains(":") }

    public init(socketPath: String, threadCount: Int, socketMode: UInt32 = 0o660, socketGroup: String? = nil, backlog: Int32 = 1024,
                makeResponder: @escaping @Sendable (_ threadIndex: Int) -> FastCGIResponder) {
        self.socketPath = socketPath
        self.threadCount = threadCount
        self.socketMode = socketMode
        self.socketGroup = socketGroup
        self.backlog = backlog
        self.makeResponder = makeResponder
    }
}
