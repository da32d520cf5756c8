import JSON
import MariaDB

/// What runs every maintenance interval, on one API host at a time (a lease row, which holds across
/// Galera nodes where GET_LOCK does not): lost-run detection, heartbeat rollups, retention (heartbeats, mails, invocation records), and the
/// input hashes of calculations made before they existed.
enum MaintenanceJobs {
    /// Held while renewed each round; another host takes over within three intervals of this one dying.
    static func lease(_ services: APIServices) -> Lease {
        Lease("maintenance", seconds: max(5, 3 * services.configuration.maintenanceIntervalMilliseconds / 1_000))
    }

    static func run(on connection: Connection, services: APIServices) throws {
        // Another host holding it is as good.
        guard try lease(services).acquire(on: connection) else { return }
        let store = CalculationStore(connection: connection, publicURL: services.configuration.publicURL)
        let lost = try store.loseSilentRuns(after: services.configuration.lostAfterSeconds)
        if lost > 0 { services.logger.warning("runs_lost", metadata: ["count": "\(lost)", "after_seconds": "\(services.configuration.lostAfterSeconds)"]) }
        try HeartbeatSeries(connection: connection).maintain()
        for retention in [Retention(table: .outbox, days: services.configuration.mailRetentionDays),
                          Retention(table: .modelInvocations, days: services.configuration.invocationRetentionDays)] {
            let pruned = try retention.prune(on: connection)
            if pruned > 0 {
                services.logger.info("rows_pruned", metadata: ["table": "\(retention.table.rawValue)", "count": "\(pruned)", "older_than_days": "\(retention.days)"])
            }
        }
        try fillInputHashes(on: connection)
    }

    /// Calculations from before migration 0019 get their `CalculationInputHash`, a batch per round.
    static func fillInputHashes(on connection: Connection) throws {
        for row in try connection.query(
            "SELECT id, engine, configuration, steps, molecule_structure FROM calculations WHERE input_sha256 IS NULL ORDER BY id LIMIT 500") {
            let hash = CalculationInputHash.of(
                engine: row.string("engine") ?? "", configuration: row.string("configuration").flatMap { try? JSON.parse($0) } ?? .object([:]),
                steps: row.string("steps").flatMap { try? JSON.parse($0) } ?? .array([]), structure: row.string("molecule_structure"))
            try connection.execute("UPDATE calculations SET input_sha256 = ? WHERE id = ? AND input_sha256 IS NULL", [.text(hash), .integer(row.int("id") ?? 0)])
        }
    }
}
