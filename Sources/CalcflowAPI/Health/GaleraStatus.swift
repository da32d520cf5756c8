import MariaDB

/// What the database node says of its Galera cluster: nothing on a single server. A node that is not
/// ready (it lost the primary component, or is still joining) refuses writes, and `/healthz` says so
/// for nginx and a monitoring system to act on.
struct GaleraStatus: Equatable {
    var ready: Bool
    var clusterSize: Int
    /// `Synced`, `Donor/Desynced`, `Joining`...
    var state: String
    /// `Primary`, or `non-Primary` on the side of a split that lost.
    var clusterStatus: String

    var isServing: Bool { ready && clusterStatus == "Primary" }

    /// Nil when the server is not a Galera node.
    static func read(on connection: Connection) throws(DatabaseError) -> GaleraStatus? {
        var values: [String: String] = [:]
        for row in try connection.query(
            """
            SELECT LOWER(VARIABLE_NAME) AS name, VARIABLE_VALUE AS value FROM information_schema.GLOBAL_STATUS
            WHERE VARIABLE_NAME IN ('WSREP_READY', 'WSREP_CLUSTER_SIZE', 'WSREP_LOCAL_STATE_COMMENT', 'WSREP_CLUSTER_STATUS')
            """) {
            if let name = row.string("name") { values[name] = row.string("value") ?? "" }
        }
        // A server built with wsrep but not in a cluster reports size 0.
        guard let ready = values["wsrep_ready"], let size = values["wsrep_cluster_size"].flatMap(Int.init), size > 0 else { return nil }
        return GaleraStatus(ready: ready == "ON", clusterSize: size, state: values["wsrep_local_state_comment"] ?? "",
                            clusterStatus: values["wsrep_cluster_status"] ?? "")
    }
}
