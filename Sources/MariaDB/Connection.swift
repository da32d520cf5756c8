import CMariaDB
import Foundation

/// One MariaDB connection, owned by one thread. Prepared statements are cached per SQL text, and a
/// connection lost to a server restart is opened again on the next statement.
public final class Connection {
    public let configuration: DatabaseConfiguration
    private var handle: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: PreparedStatement] = [:]
    private var transactionDepth = 0
    /// The node this connection is on, or tries first: after a node is lost, the next one.
    private var nodeIndex = 0

    /// The node it is connected to (`host:port`), or the unix socket.
    public var node: String {
        if let socket = configuration.unixSocket { return socket }
        let node = configuration.nodes[nodeIndex % configuration.nodes.count]
        return "\(node.host):\(node.port)"
    }

    public init(configuration: DatabaseConfiguration) throws(DatabaseError) {
        self.configuration = configuration
        try open()
    }

    deinit {
        close()
    }

    public var isOpen: Bool { handle != nil }

    /// Opens a connection to the first node that answers, from the one it was last on.
    private func open() throws(DatabaseError) {
        guard configuration.unixSocket == nil, configuration.nodes.count > 1 else {
            return try open(node: configuration.nodes[0])
        }
        var failure: DatabaseError?
        for offset in 0..<configuration.nodes.count {
            let index = (nodeIndex + offset) % configuration.nodes.count
            do {
                try open(node: configuration.nodes[index])
                nodeIndex = index
                return
            } catch {
                failure = error
            }
        }
        throw failure ?? DatabaseError(code: .connectionFailed, message: "no database node answered")
    }

    private func open(node: DatabaseConfiguration.Node) throws(DatabaseError) {
        precondition(MariaDBLibrary.initialized, "MariaDB client library failed to initialise")
        guard let handle = mysql_init(nil) else {
            throw DatabaseError(code: .connectionFailed, message: "mysql_init: out of memory")
        }
        var timeout = configuration.connectTimeoutSeconds
        _ = mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        _ = mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        let connected = mysql_real_connect(
            handle,
            configuration.unixSocket == nil ? node.host : nil,
            configuration.user,
            configuration.password,
            configuration.database,
            configuration.unixSocket == nil ? node.port : 0,
            configuration.unixSocket,
            UInt(CLIENT_MULTI_STATEMENTS))
        guard connected != nil else {
            let error = DatabaseError(code: .connectionFailed, serverCode: Int(mysql_errno(handle)), message: String(cString: mysql_error(handle)))
            mysql_close(handle)
            throw error
        }
        self.handle = handle
        // Timestamps are UTC everywhere; strict mode turns silent truncation into errors. On a
        // Galera node, a read waits until the node has applied what other nodes committed before it
        // (a claim made through another API host, then this host's read of it); elsewhere the
        // setting does nothing.
        try run("SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO', wsrep_sync_wait = 1")
    }

    private func close() {
        statements.removeAll()
        if let handle { mysql_close(handle) }
        handle = nil
    }

    /// Drops the connection and opens a new one.
    public func reconnect() throws(DatabaseError) {
        close()
        transactionDepth = 0
        try open()
    }

    private func connectedHandle() throws(DatabaseError) -> UnsafeMutablePointer<MYSQL> {
        if let handle { return handle }
        try open()
        guard let handle else { throw DatabaseError(code: .connectionFailed, message: "not connected") }
        return handle
    }

    /// Runs SQL text without parameters (schema scripts, session settings). Never pass it input.
    public func run(_ sql: String) throws(DatabaseError) {
        let handle = try connectedHandle()
        let bytes = Array(sql.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mysql_real_query(handle, $0.baseAddress, UInt(buffer.count)) }
        }
        if status != 0 { throw failure(handle) }
        // Drain every result of a multi-statement script, so the next statement finds the line clear.
        repeat {
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
            else if mysql_field_count(handle) != 0 { throw failure(handle) }
            let next = mysql_next_result(handle)
            if next > 0 { throw failure(handle) }
            if next != 0 { break }
        } while true
    }

    private func failure(_ handle: UnsafeMutablePointer<MYSQL>) -> DatabaseError {
        let error = DatabaseError.classify(serverCode: Int(mysql_errno(handle)), message: String(cString: mysql_error(handle)))
        if error.code == .connectionLost { lose() }
        return error
    }

    /// The node went away: closed, and the next connection tries the next node first.
    private func lose() {
        close()
        nodeIndex = (nodeIndex + 1) % max(1, configuration.nodes.count)
    }

    /// Runs one prepared statement with bound values. Outside a transaction, a statement that finds
    /// the connection lost reconnects (to the next node) and runs again, and one that lost a deadlock
    /// or Galera's certification (an autocommit write that another node's write to the same rows
    /// beat) runs again: it had no effect. Inside one, the transaction decides (`transaction`).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseError) -> QueryResult {
        guard transactionDepth == 0 else { return try executeOnce(sql, parameters) }
        var attempt = 1
        while true {
            do {
                return try executeOnce(sql, parameters)
            } catch {
                guard (error.code == .connectionLost || error.isRetryable) && attempt < 8 else { throw error }
                if error.code == .connectionLost { try reconnect() }
                else { Thread.sleep(forTimeInterval: Double.random(in: 0...Double(min(64, 1 << attempt))) / 1_000) }
                attempt += 1
            }
        }
    }

    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseError) -> [Row] {
        try execute(sql, parameters).rows
    }

    public func queryFirst(_ sql: String, _ parameters: [SQLValue] = []) throws(DatabaseError) -> Row? {
        try execute(sql, parameters).rows.first
    }

    private func executeOnce(_ sql: String, _ parameters: [SQLValue]) throws(DatabaseError) -> QueryResult {
        let handle = try connectedHandle()
        let statement: PreparedStatement
        if let cached = statements[sql] {
            statement = cached
        } else {
            do {
                statement = try PreparedStatement(connection: handle, sql: sql)
            } catch {
                if error.code == .connectionLost { lose() }
                throw error
            }
            statements[sql] = statement
        }
        do {
            return try statement.execute(parameters)
        } catch {
            if error.code == .connectionLost { lose() } else { statements[sql] = nil }
            throw error
        }
    }

    /// Runs `body` in one transaction, again from the start on a deadlock or a Galera certification
    /// failure, or on another node when its node went away mid-transaction (up to `attempts` times).
    /// A node lost during COMMIT leaves it unknown whether it committed: what runs in a transaction
    /// here is idempotent or checked (claims carry their claim id, events their seq).
    public func transaction<Result>(attempts: Int = 8, _ body: (Connection) throws -> Result) throws -> Result {
        if transactionDepth > 0 {
            // Nested: the outer transaction owns commit, rollback and retry.
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body(self)
        }
        return try retryingDeadlocks(attempts: attempts) { connection in
            try begin()
            transactionDepth = 1
            do {
                let result = try body(connection)
                transactionDepth = 0
                try run("COMMIT")
                return result
            } catch {
                transactionDepth = 0
                if handle != nil { try? run("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `statement` again when MariaDB chose it as a deadlock's victim, or Galera failed its
    /// certification (another node took the same row first), or its node went away (up to `attempts`
    /// times in all): for a whole transaction, or a statement that is a transaction of its own, such
    /// as the `CALL` of a procedure that commits. Each retry waits a random moment, longer each time:
    /// claimers on two nodes that all chose the same best row do not collide again in step.
    public func retryingDeadlocks<Result, Failure: Error>(attempts: Int = 8, _ statement: (Connection) throws(Failure) -> Result) throws(Failure) -> Result {
        var attempt = 1
        while true {
            do {
                return try statement(self)
            } catch where (error as? DatabaseError).map({ $0.isRetryable || $0.code == .connectionLost }) == true && attempt < attempts {
                Thread.sleep(forTimeInterval: Double.random(in: 0...Double(min(64, 1 << attempt))) / 1_000)
                attempt += 1
            }
        }
    }

    private func begin() throws(DatabaseError) {
        do {
            try run("START TRANSACTION")
        } catch {
            guard error.code == .connectionLost else { throw error }
            try reconnect()
            try run("START TRANSACTION")
        }
    }

    /// A cheap round trip that proves the server answers.
    public func ping() throws(DatabaseError) {
        try execute("SELECT 1")
    }
}
