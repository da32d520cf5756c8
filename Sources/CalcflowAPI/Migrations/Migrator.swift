import Crypto
import Foundation
import MariaDB

/// Applies `migrations/NNNN_name.sql` in order, once each, recording them in `schema_migrations`.
public struct Migrator {
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String
        public var checksum: String
    }

    public struct Problem: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let directory: String

    public init(directory: String = Migrator.defaultDirectory) {
        self.directory = directory
    }

    public static var defaultDirectory: String {
        let installed = "/usr/share/calcflow/migrations"
        if FileManager.default.fileExists(atPath: installed) { return installed }
        // A build from the repository: Sources/CalcflowAPI/Migrations/ → migrations/.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("migrations").path
    }

    public func migrations() throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        var seen: Set<Int> = []
        return try names.map { name in
            guard let version = Int(name.prefix { $0.isNumber }), name.prefix(while: { $0.isNumber }).count == 4 else {
                throw Problem(message: "\(directory)/\(name): migration files are named NNNN_name.sql")
            }
            guard seen.insert(version).inserted else { throw Problem(message: "two migrations have the number \(version)") }
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            let sql = String(decoding: data, as: UTF8.self)
            return Migration(version: version, name: name, sql: sql, checksum: SHA256.hexDigest(sql))
        }
    }

    /// The lease that makes the migrations run once when several hosts start at once.
    static let lease = Lease("migrations", seconds: 120)

    /// The names of the migrations applied now; an empty list when all were applied before. Several
    /// hosts may run this at once: one applies them under a lease, the others wait for it, say so,
    /// and then find nothing left to do.
    @discardableResult
    public func apply(on connection: Connection, log: (String) -> Void = { _ in }) throws -> [String] {
        try connection.run(Lease.createTable)
        try Self.waitForTheLease(on: connection, log: log)
        defer { try? Self.lease.release(on: connection) }
        try connection.run("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INT NOT NULL PRIMARY KEY,
                name VARCHAR(255) NOT NULL,
                checksum CHAR(64) NOT NULL,
                applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
            ) ENGINE=InnoDB
            """)
        var applied: [Int: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations") {
            applied[Int(row.int("version") ?? 0)] = row.string("checksum")
        }
        var names: [String] = []
        for migration in try migrations() {
            if let checksum = applied[migration.version] {
                if checksum != migration.checksum {
                    log("warning: \(migration.name) changed after it was applied; add a new migration instead of editing it")
                }
                continue
            }
            // Renewed before each one: a long migration keeps the lease as long as it runs.
            guard try Self.lease.acquire(on: connection) else {
                throw Problem(message: "another host took the migration lease while \(migration.name) was next; run migrate again")
            }
            do {
                try connection.run(migration.sql)
            } catch {
                throw Problem(message: "\(migration.name) failed: \(error). The migrations before it are applied; fix it and run migrate again.")
            }
            try connection.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                                   [.integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum)])
            log("applied \(migration.name)")
            names.append(migration.name)
        }
        return names
    }

    /// Takes the migration lease, waiting (and saying so, once) while another host holds it.
    static func waitForTheLease(on connection: Connection, log: (String) -> Void) throws {
        var said = false
        while !(try lease.acquire(on: connection)) {
            if !said {
                log("waiting: \(try lease.currentHolder(on: connection) ?? "another host") is applying migrations")
                said = true
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        if said { log("the other host's migrations are done") }
    }

    /// For a host that starts: waits while another host is applying migrations, saying so in its
    /// log, so that it never serves a schema half migrated. Returns at once when no one is.
    public static func waitWhileMigrating(on connection: Connection, log: (String) -> Void) throws {
        try connection.run(Lease.createTable)
        guard let holder = try lease.currentHolder(on: connection) else { return }
        log("waiting: \(holder) is applying migrations")
        while try lease.currentHolder(on: connection) != nil { Thread.sleep(forTimeInterval: 0.5) }
        log("the migrations are done")
    }

    /// Migrations in the folder that the database does not have yet.
    public func pending(on connection: Connection) throws -> [String] {
        let applied = Set(try connection.query("SELECT version FROM schema_migrations").compactMap { $0.int("version") }.map(Int.init))
        return try migrations().filter { !applied.contains($0.version) }.map(\.name)
    }
}
