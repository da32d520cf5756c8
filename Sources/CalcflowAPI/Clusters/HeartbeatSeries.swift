import Foundation
import JSON
import MariaDB

/// The heartbeat time series for graphs: raw points for the last 7 days, 5-minute averages before.
struct HeartbeatSeries {
    let connection: Connection
    static let rawRetentionDays = 7
    static let rollupRetentionDays = 90
    /// The most heartbeats one round folds into the averages: a backlog is rolled up in short
    /// statements over the following rounds, not in one long one that holds a core.
    static let rollupRowsPerRound = 50_000
    /// Heartbeats are folded in once they are this old. Until then, graphs of any range read them
    /// raw, and a burst of heartbeats costs nothing to roll up while the burst lasts.
    static let rollupDelaySeconds = 3_600
    /// Graphs need no more than this many points; longer raw ranges are averaged into buckets.
    static let maximumPoints = 2_000

    func points(clusterID: Int64, since: Date, until: Date) throws(DatabaseError) -> (resolution: String, points: [JSON]) {
        let rawHorizon = Date().addingTimeInterval(-Double(Self.rawRetentionDays) * 86_400)
        let span = until.timeIntervalSince(since)
        let bucket = max(1, Int64((span / Double(Self.maximumPoints)).rounded(.up)))
        let columns = ["cpu_percent", "load_1m", "memory_used_bytes", "memory_total_bytes", "disk_free_bytes", "disk_total_bytes", "running_count"]
        let averages = columns.map { "AVG(\($0)) AS \($0)" }.joined(separator: ", ")
        let rows: [Row]
        let resolution: String
        if since >= rawHorizon {
            resolution = bucket <= 1 ? "raw" : "\(bucket)s"
            rows = try connection.query(
                """
                SELECT FLOOR(UNIX_TIMESTAMP(recorded_at) / ?) * ? AS t, \(averages)
                FROM heartbeats WHERE cluster_id = ? AND recorded_at >= ? AND recorded_at <= ?
                GROUP BY t ORDER BY t
                """,
                [.integer(bucket), .integer(bucket), .integer(clusterID), .text(TimeParameter.database(since)), .text(TimeParameter.database(until))])
        } else {
            // The 5-minute averages, and the heartbeats not yet folded into them (the last hour or
            // so) averaged the same way; a bucket found in both is weighted by its samples.
            resolution = "300s"
            let weighted = columns.map { "SUM(\($0) * samples) / SUM(samples) AS \($0)" }.joined(separator: ", ")
            let rolled = columns.joined(separator: ", ")
            let raw = columns.map { "AVG(\($0)) AS \($0)" }.joined(separator: ", ")
            rows = try connection.query(
                """
                SELECT t, \(weighted) FROM (
                    SELECT UNIX_TIMESTAMP(bucket_start) AS t, samples, \(rolled)
                    FROM heartbeat_rollups WHERE cluster_id = ? AND bucket_start >= ? AND bucket_start <= ?
                    UNION ALL
                    SELECT FLOOR(UNIX_TIMESTAMP(recorded_at) / 300) * 300 AS t, COUNT(*) AS samples, \(raw)
                    FROM heartbeats WHERE cluster_id = ? AND recorded_at >= ? AND recorded_at <= ?
                        AND id > (SELECT value FROM maintenance_state WHERE name = 'heartbeat_rollup_id')
                    GROUP BY t
                ) AS parts GROUP BY t ORDER BY t
                """,
                [.integer(clusterID), .text(TimeParameter.database(since)), .text(TimeParameter.database(until)),
                 .integer(clusterID), .text(TimeParameter.database(since)), .text(TimeParameter.database(until))])
        }
        let points: [JSON] = rows.map { row in
            var point: [String: JSON] = ["t": .string(Timestamp.rfc3339(Date(timeIntervalSince1970: row.double("t") ?? 0)))]
            for column in columns { point[column == "running_count" ? "running" : column] = .number(row.double(column) ?? 0) }
            return .object(point)
        }
        return (resolution, points)
    }

    /// Folds the heartbeats after the watermark that are old enough into the 5-minute averages
    /// (weighted by their sample counts, so a bucket can be added to many times), then applies the
    /// retention. Each round reads at most `rollupRowsPerRound` rows past the watermark.
    func maintain() throws {
        try connection.transaction { connection in
            let from = try connection.queryFirst("SELECT value FROM maintenance_state WHERE name = 'heartbeat_rollup_id' FOR UPDATE")?.int("value") ?? 0
            guard let to = try connection.queryFirst(
                """
                SELECT MAX(id) AS last FROM (SELECT id, recorded_at FROM heartbeats WHERE id > ? ORDER BY id LIMIT ?) AS next
                WHERE recorded_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND
                """, [.integer(from), .integer(Int64(Self.rollupRowsPerRound)), .integer(Int64(Self.rollupDelaySeconds))])?.int("last") else { return }
            try connection.execute(
                """
                INSERT INTO heartbeat_rollups (cluster_id, bucket_start, samples, cpu_percent, load_1m, memory_used_bytes, memory_total_bytes, disk_free_bytes, disk_total_bytes, running_count)
                SELECT cluster_id, FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(recorded_at) / 300) * 300) AS bucket, COUNT(*), AVG(cpu_percent), AVG(load_1m),
                       AVG(memory_used_bytes), AVG(memory_total_bytes), AVG(disk_free_bytes), AVG(disk_total_bytes), AVG(running_count)
                FROM heartbeats WHERE id > ? AND id <= ?
                GROUP BY cluster_id, bucket
                ON DUPLICATE KEY UPDATE
                    cpu_percent = (cpu_percent * samples + VALUES(cpu_percent) * VALUES(samples)) / (samples + VALUES(samples)),
                    load_1m = (load_1m * samples + VALUES(load_1m) * VALUES(samples)) / (samples + VALUES(samples)),
                    memory_used_bytes = (memory_used_bytes * samples + VALUES(memory_used_bytes) * VALUES(samples)) / (samples + VALUES(samples)),
                    memory_total_bytes = (memory_total_bytes * samples + VALUES(memory_total_bytes) * VALUES(samples)) / (samples + VALUES(samples)),
                    disk_free_bytes = (disk_free_bytes * samples + VALUES(disk_free_bytes) * VALUES(samples)) / (samples + VALUES(samples)),
                    disk_total_bytes = (disk_total_bytes * samples + VALUES(disk_total_bytes) * VALUES(samples)) / (samples + VALUES(samples)),
                    running_count = (running_count * samples + VALUES(running_count) * VALUES(samples)) / (samples + VALUES(samples)),
                    samples = samples + VALUES(samples)
                """, [.integer(from), .integer(to)])
            try connection.execute("UPDATE maintenance_state SET value = ? WHERE name = 'heartbeat_rollup_id'", [.integer(to)])
        }
        // Raw points expire only once folded in: a rollup that fell behind loses nothing.
        for cluster in try connection.query("SELECT id FROM clusters").compactMap({ $0.int("id") }) {
            try connection.execute(
                """
                DELETE FROM heartbeats WHERE cluster_id = ? AND recorded_at < CURRENT_TIMESTAMP(6) - INTERVAL ? DAY
                    AND id <= (SELECT value FROM maintenance_state WHERE name = 'heartbeat_rollup_id') LIMIT 50000
                """, [.integer(cluster), .integer(Int64(Self.rawRetentionDays))])
        }
        try connection.execute("DELETE FROM heartbeat_rollups WHERE bucket_start < CURRENT_TIMESTAMP(6) - INTERVAL ? DAY",
                               [.integer(Int64(Self.rollupRetentionDays))])
    }
}
