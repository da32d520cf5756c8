import MariaDB

/// What `calcflowctl cluster` does, straight on the database: for `make run` and for sysadmins who
/// provision an agent before anyone signs in.
public enum ClusterAdministration {
    /// The cluster's id, creating it when there is none of that name.
    public static func ensureCluster(name: String, description: String, on connection: Connection) throws -> (id: Int64, created: Bool) {
        let clusters = ClusterStore(connection: connection, keyGeneration: CacheGeneration(lifetimeMilliseconds: 0))
        if let existing = try clusters.find(name: name) { return (existing.id, false) }
        guard let created = try clusters.create(name: name, description: description, requiresApproval: false, maxRunning: 0, heartbeatInterval: 30) else {
            throw DatabaseError(code: .duplicateEntry, message: "cluster \(name) appeared while it was being created")
        }
        return (created.id, true)
    }

    /// A new `ck_` key for the cluster; the caller shows or stores it, since it is never readable again.
    public static func issueKey(clusterID: Int64, label: String, on connection: Connection) throws -> String {
        let clusters = ClusterStore(connection: connection, keyGeneration: CacheGeneration(lifetimeMilliseconds: 0))
        return try clusters.createKey(clusterID: clusterID, label: label, createdBy: 0).key
    }
}
