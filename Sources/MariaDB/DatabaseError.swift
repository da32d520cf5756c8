/// What went wrong talking to MariaDB. `message` is for logs: callers never show it to clients.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public static let connectionFailed = Code(name: "connection_failed")
        public static let connectionLost = Code(name: "connection_lost")
        public static let duplicateEntry = Code(name: "duplicate_entry")
        public static let deadlock = Code(name: "deadlock")
        public static let foreignKey = Code(name: "foreign_key")
        public static let statementFailed = Code(name: "statement_failed")
        public var description: String { name }
    }

    public var code: Code
    public var serverCode: Int
    public var message: String

    public init(code: Code, serverCode: Int = 0, message: String) {
        self.code = code
        self.serverCode = serverCode
        self.message = message
    }

    public var description: String { "\(code) (\(serverCode)): \(message)" }

    /// Deadlocks and Galera's certification failures: the whole transaction can simply run again.
    public var isRetryable: Bool { code == .deadlock }

    static func classify(serverCode: Int, message: String) -> DatabaseError {
        let code: Code
        switch serverCode {
        // 1047: a Galera node that is not ready ("WSREP has not yet prepared node for application
        // use"): as good as gone, the connection moves to another node.
        case 2002, 2003, 2005, 2006, 2013, 2055, 1053, 1927, 4031, 1047:
            code = .connectionLost
        case 1062:
            code = .duplicateEntry
        case 1213, 1205:
            code = .deadlock
        case 1451, 1452:
            code = .foreignKey
        default:
            code = .statementFailed
        }
        return DatabaseError(code: code, serverCode: serverCode, message: message)
    }
}
