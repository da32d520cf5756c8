import Foundation
import MariaDB

/// A named lease row: work that must happen once across every API host (the lost-run check, the
/// heartbeat rollups, the retention purge, the migrations) runs on the host holding it. A host takes
/// it when it is free or expired, and keeps it by renewing it each round; a host that dies loses it
/// when it expires, and another takes over. A compare-and-set on one row, committed: on Galera, two
/// hosts taking it through two nodes at once conflict at certification, and the loser does not hold it.
struct Lease {
    let name: String
    let holder: String
    let seconds: Int

    /// This process, for every lease it holds: host name, pid and a random part (a restarted process
    /// is a new holder, and waits for the lease its predecessor held to expire only if it did not end it).
    static let processHolder: String = {
        "\(ProcessInfo.processInfo.hostName.prefix(64))/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
    }()

    init(_ name: String, holder: String = Lease.processHolder, seconds: Int) {
        self.name = name
        self.holder = holder
        self.seconds = seconds
    }

    /// Takes the lease, or renews it when this holder has it; true when it is this holder's for the
    /// next `seconds`. Run outside a transaction: the take commits at once.
    func acquire(on connection: Connection) throws(DatabaseError) -> Bool {
        do {
            if try take(on: connection) { return true }
            // The first take of a name makes its row; a row that exists with another holder is theirs.
            guard try connection.queryFirst("SELECT name FROM leases WHERE name = ?", [.text(name)]) == nil else { return false }
            try connection.execute("INSERT IGNORE INTO leases (name) VALUES (?)", [.text(name)])
            return try take(on: connection)
        } catch where error.isRetryable {
            // Another host took it at the same moment, through another node.
            return false
        }
    }

    private func take(on connection: Connection) throws(DatabaseError) -> Bool {
        try connection.execute(
            """
            UPDATE leases SET holder = ?, expires_at = CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND
            WHERE name = ? AND (holder <=> ? OR expires_at IS NULL OR expires_at < CURRENT_TIMESTAMP(6))
            """, [.text(holder), .integer(Int64(seconds)), .text(name), .text(holder)]).affectedRows == 1
    }

    /// Gives it up at once (a host that stops), so that another need not wait for it to expire.
    func release(on connection: Connection) throws(DatabaseError) {
        try connection.execute("UPDATE leases SET holder = NULL, expires_at = NULL WHERE name = ? AND holder = ?", [.text(name), .text(holder)])
    }

    /// Who holds it now, when anyone does.
    func currentHolder(on connection: Connection) throws(DatabaseError) -> String? {
        try connection.queryFirst("SELECT holder FROM leases WHERE name = ? AND expires_at >= CURRENT_TIMESTAMP(6)", [.text(name)])?.string("holder")
    }

    /// The table, made before any migration runs: the migrations themselves run under a lease.
    static let createTable = """
        CREATE TABLE IF NOT EXISTS leases (
            name VARCHAR(64) NOT NULL PRIMARY KEY,
            holder VARCHAR(160) NULL,
            expires_at DATETIME(6) NULL
        ) ENGINE=InnoDB
        """
}
