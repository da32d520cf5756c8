import Foundation

public struct DatabaseConfiguration: Sendable, Equatable {
    /// One node of the database: a server, or a node of a Galera cluster.
    public struct Node: Sendable, Equatable {
        public var host: String
        public var port: UInt32

        public init(host: String, port: UInt32 = 3306) {
            self.host = host
            self.port = port
        }

        /// `host:port` or `host` (port 3306); an IPv6 address in brackets, `[::1]:3306`.
        public init?(_ text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            var host = trimmed
            var port: UInt32 = 3306
            if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
                host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
                let rest = trimmed[trimmed.index(after: close)...]
                if rest.hasPrefix(":") { guard let parsed = UInt32(rest.dropFirst()) else { return nil }; port = parsed }
            } else if let colon = trimmed.lastIndex(of: ":") {
                host = String(trimmed[..<colon])
                guard let parsed = UInt32(trimmed[trimmed.index(after: colon)...]) else { return nil }
                port = parsed
            }
            guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
            self.init(host: host, port: port)
        }
    }

    public var host: String
    public var port: UInt32
    /// Further nodes to try, in order, when `host` cannot be reached: the other nodes of a Galera
    /// cluster (`db_hosts`). Empty for a single server.
    public var fallbacks: [Node]
    /// When set, the connection goes through this unix socket and `host`/`port` are ignored.
    public var unixSocket: String?
    public var user: String
    public var password: String
    public var database: String?
    public var connectTimeoutSeconds: UInt32

    public init(host: String = "127.0.0.1", port: UInt32 = 3306, fallbacks: [Node] = [], unixSocket: String? = nil, user: String = "root",
                password: String = "", database: String? = nil, connectTimeoutSeconds: UInt32 = 5) {
        self.host = host
        self.port = port
        self.fallbacks = fallbacks
        self.unixSocket = unixSocket
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Every node, the preferred first.
    public var nodes: [Node] { [Node(host: host, port: port)] + fallbacks }
}
