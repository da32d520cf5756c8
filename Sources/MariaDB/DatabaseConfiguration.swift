public struct DatabaseConfiguration: Sendable, Equatable {
    public var host: String
    public var port: UInt32
    /// When set, the connection goes through this unix socket and `host`/`port` are ignored.
    public var unixSocket: String?
    public var user: String
    public var password: String
    public var database: String?
    public var connectTimeoutSeconds: UInt32

    public init(host: String = "127.0.0.1", port: UInt32 = 3306, unixSocket: String? = nil, user: String = "root",
                password: String = "", database: String? = nil, connectTimeoutSeconds: UInt32 = 5) {
        self.host = host
        self.port = port
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }
}
