import JSON
import MariaDB

/// A row of `clusters`, as the API shows it.
struct ClusterRecord: Sendable {
    var id: Int64
    var name: String
    var description: String
    var enabled: Bool
    var requiresApproval: Bool
    var maxRunning: Int64
    var heartbeatInterval: Int64
    var lastSeenAt: String?
    var secondsSinceSeen: Int64?
    var agentVersion: String
    var latest: JSON

    static let columns = """
        id, name, description, enabled, requires_approval, max_running, heartbeat_interval, last_seen_at, agent_version,
        latest_metrics, TIMESTAMPDIFF(SECOND, last_seen_at, CURRENT_TIMESTAMP(6)) AS seconds_since_seen
        """

    init(row: Row) {
        id = row.int("id") ?? 0
        name = row.string("name") ?? ""
        description = row.string("description") ?? ""
        enabled = row.bool("enabled")
        requiresApproval = row.bool("requires_approval")
        maxRunning = row.int("max_running") ?? 0
        heartbeatInterval = row.int("heartbeat_interval") ?? 30
        lastSeenAt = Timestamp.rfc3339(fromDatabase: row.string("last_seen_at"))
        secondsSinceSeen = row.int("seconds_since_seen")
        agentVersion = row.string("agent_version") ?? ""
        latest = row.string("latest_metrics").flatMap { try? JSON.parse($0) } ?? .null
    }

    /// Online while it has heartbeated within three intervals.
    var online: Bool {
        guard let secondsSinceSeen else { return false }
        return secondsSinceSeen <= 3 * heartbeatInterval
    }

    var json: JSON {
        [
            "id": .integer(id), "name": .string(name), "description": .string(description), "enabled": .bool(enabled),
            "requires_approval": .bool(requiresApproval), "max_running": .integer(maxRunning),
            "heartbeat_interval": .integer(heartbeatInterval), "online": .bool(online), "last_seen_at": JSON(lastSeenAt),
            "agent_version": .string(agentVersion), "latest": latest,
        ]
    }
}
