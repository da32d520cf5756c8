import MariaDB

/// What runs every maintenance interval, in one API process at a time (a named lock): lost-run
/// detection, heartbeat rollups and retention.
enum MaintenanceJobs {
    static func run(on connection: Connection, services: APIServices) throws {
        // GET_LOCK with no wait: another process doing it already is as good.
        guard try connection.queryFirst("SELECT GET_LOCK('calcflow_maintenance', 0) AS taken")?.int("taken") == 1 else { return }
        defer { _ = try? connection.execute("SELECT RELEASE_LOCK('calcflow_maintenance')") }
        let store = CalculationStore(connection: connection, publicURL: services.configuration.publicURL)
        let lost = try store.loseSilentRuns(after: services.configuration.lostAfterSeconds)
        if lost > 0 { services.logger.warning("runs_lost", metadata: ["count": "\(lost)", "after_seconds": "\(services.configuration.lostAfterSeconds)"]) }
        try HeartbeatSeries(connection: connection).maintain()
    }
}
