import CalcflowCore
import JSON
import MariaDB

/// `clusters`, `cluster_keys`, `heartbeats` and `cluster_analyses`.
struct ClusterStore {
    let connection: Connection
    /// Raised on any change that could alter what a key authenticates.
    let keyGeneration: CacheGeneration

    func list(_ page: PageRequest) throws(DatabaseError) -> [ClusterRecord] {
        try connection.query("SELECT \(ClusterRecord.columns) FROM clusters WHERE id > ? ORDER BY id LIMIT ?",
                             [.integer(page.afterID ?? 0), .integer(Int64(page.limit + 1))]).map(ClusterRecord.init(row:))
    }

    func find(id: Int64) throws(DatabaseError) -> ClusterRecord? {
        try connection.queryFirst("SELECT \(ClusterRecord.columns) FROM clusters WHERE id = ?", [.integer(id)]).map(ClusterRecord.init(row:))
    }

    func find(name: String) throws(DatabaseError) -> ClusterRecord? {
        try connection.queryFirst("SELECT \(ClusterRecord.columns) FROM clusters WHERE name = ?", [.text(name)]).map(ClusterRecord.init(row:))
    }

    /// Nil when the name is taken.
    func create(name: String, description: String, requiresApproval: Bool, maxRunning: Int64, heartbeatInterval: Int64) throws(DatabaseError) -> ClusterRecord? {
        do {
            let result = try connection.execute(
                "INSERT INTO clusters (name, description, requires_approval, max_running, heartbeat_interval) VALUES (?, ?, ?, ?, ?)",
                [.text(name), .text(description), SQLValue(requiresApproval), .integer(maxRunning), .integer(heartbeatInterval)])
            return try find(id: result.lastInsertID)
        } catch {
            if error.code == .duplicateEntry { return nil }
            throw error
        }
    }

    /// Applies the given column values; false when the new name is taken.
    func update(id: Int64, _ assignments: [(column: String, value: SQLValue)]) throws(DatabaseError) -> Bool {
        guard !assignments.isEmpty else { return true }
        do {
            try RowUpdate.apply(assignments, table: "clusters", id: id, on: connection)
            keyGeneration.invalidate()
            return true
        } catch {
            if error.code == .duplicateEntry { return false }
            throw error
        }
    }

    func hasCalculations(id: Int64) throws(DatabaseError) -> Bool {
        try connection.queryFirst("SELECT 1 AS found FROM calculations WHERE cluster_id = ? LIMIT 1", [.integer(id)]) != nil
    }

    func delete(id: Int64) throws(DatabaseError) {
        try connection.execute("DELETE FROM heartbeats WHERE cluster_id = ?", [.integer(id)])
        try connection.execute("DELETE FROM heartbeat_rollups WHERE cluster_id = ?", [.integer(id)])
        try connection.execute("DELETE FROM clusters WHERE id = ?", [.integer(id)])
        keyGeneration.invalidate()
    }

    // MARK: Keys

    func createKey(clusterID: Int64, label: String, createdBy: Int64) throws(DatabaseError) -> (id: Int64, key: String) {
        let key = OpaqueToken.generate(prefix: "ck_")
        let result = try connection.execute(
            "INSERT INTO cluster_keys (cluster_id, label, key_hash, key_prefix, created_by) VALUES (?, ?, ?, ?, ?)",
            [.integer(clusterID), .text(label), .text(OpaqueToken.hash(key)), .text(String(key.prefix(10))), createdBy > 0 ? .integer(createdBy) : .null])
        return (result.lastInsertID, key)
    }

    func keys(clusterID: Int64) throws(DatabaseError) -> [JSON] {
        try connection.query(
            "SELECT \(APIKeyListing.columns) FROM cluster_keys WHERE cluster_id = ? ORDER BY id", [.integer(clusterID)]
        ).map(APIKeyListing.json)
    }

    /// False when there is no such active key on this cluster.
    func revokeKey(clusterID: Int64, keyID: Int64) throws(DatabaseError) -> Bool {
        let result = try connection.execute(
            "UPDATE cluster_keys SET revoked_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND cluster_id = ? AND revoked_at IS NULL",
            [.integer(keyID), .integer(clusterID)])
        keyGeneration.invalidate()
        return result.affectedRows > 0
    }

    /// The cluster of an active key. Records the key's use at most once a minute: not a write per request.
    func agent(keyHash: String) throws(DatabaseError) -> AgentIdentity? {
        guard let row = try connection.queryFirst(
            """
            SELECT k.id AS key_id, k.cluster_id, c.name, c.enabled, c.max_running,
                   k.last_used_at IS NULL OR k.last_used_at < CURRENT_TIMESTAMP(6) - INTERVAL 60 SECOND AS stale
            FROM cluster_keys k JOIN clusters c ON c.id = k.cluster_id
            WHERE k.key_hash = ? AND k.revoked_at IS NULL
            """, [.text(keyHash)]) else { return nil }
        let keyID = row.int("key_id") ?? 0
        if row.bool("stale") {
            try connection.execute("UPDATE cluster_keys SET last_used_at = CURRENT_TIMESTAMP(6) WHERE id = ?", [.integer(keyID)])
        }
        return AgentIdentity(clusterID: row.int("cluster_id") ?? 0, clusterName: row.string("name") ?? "", keyID: keyID, enabled: row.bool("enabled"),
                             maxRunning: row.int("max_running") ?? 0)
    }

    // MARK: Heartbeats and capabilities

    func markSeen(clusterID: Int64, _ heartbeat: Heartbeat) throws(DatabaseError) {
        try connection.execute(
            "UPDATE clusters SET last_seen_at = CURRENT_TIMESTAMP(6), agent_version = ?, latest_metrics = ? WHERE id = ?",
            [.text(heartbeat.agentVersion.prefix(codePoints: 64)), .text(heartbeat.latestJSON.serializedString()), .integer(clusterID)])
    }

    func replaceCapabilities(clusterID: Int64, _ engines: [(name: String, version: String, analyses: [AnalysisDefinition])]) throws {
        try connection.transaction { connection in
            try connection.execute("DELETE FROM cluster_analyses WHERE cluster_id = ?", [.integer(clusterID)])
            for engine in engines {
                for analysis in engine.analyses {
                    try connection.execute(
                        "INSERT INTO cluster_analyses (cluster_id, engine, engine_version, analysis, requires_list, description) VALUES (?, ?, ?, ?, ?, ?)",
                        [.integer(clusterID), .text(engine.name), .text(engine.version), .text(analysis.name),
                         .text(JSON.array(analysis.requires.map(JSON.string)).serializedString()), .text(analysis.description)])
                }
            }
        }
    }

    /// The union of every cluster's analyses.
    func catalog() throws(DatabaseError) -> AnalysisCatalog {
        var catalog = AnalysisCatalog()
        for row in try connection.query("SELECT engine, analysis, requires_list, description FROM cluster_analyses ORDER BY engine, analysis") {
            let requires = (row.string("requires_list").flatMap { try? JSON.parse($0) }?.arrayValue ?? []).compactMap(\.stringValue)
            catalog.add(engine: row.string("engine") ?? "", AnalysisDefinition(
                name: row.string("analysis") ?? "", requires: requires, description: row.string("description") ?? ""))
        }
        return catalog
    }

    /// Which clusters offer each engine, with the versions their agents reported.
    func engineVersions() throws(DatabaseError) -> [String: [JSON]] {
        var versions: [String: [JSON]] = [:]
        for row in try connection.query(
            "SELECT DISTINCT a.engine, a.engine_version, c.name FROM cluster_analyses a JOIN clusters c ON c.id = a.cluster_id ORDER BY c.name") {
            versions[row.string("engine") ?? "", default: []].append(["cluster": .string(row.string("name") ?? ""), "version": .string(row.string("engine_version") ?? "")])
        }
        return versions
    }
}
