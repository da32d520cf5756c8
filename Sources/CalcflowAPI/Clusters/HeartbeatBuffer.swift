import MariaDB
import Synchronization

/// Heartbeat rows on their way to MariaDB. Each agent's heartbeat is acknowledged at once and its
/// figures are written in multi-row inserts a few times a second. What a crash can lose is a fraction
/// of a second of graph points; "last seen" and cancellations never wait on this buffer.
public final class HeartbeatBuffer: Sendable {
    struct Pending: Sendable {
        var clusterID: Int64
        var heartbeat: Heartbeat
    }

    private let rows: WriteBuffer<Pending>
    static let highWater = 20_000
    static let batchSize = 250

    public init(shardCount: Int = 16) {
        rows = WriteBuffer(shardCount: shardCount, highWater: Self.highWater, batchSize: Self.batchSize)
    }

    /// Returns the rows to write now when the shard is too full to wait for the writer.
    func append(clusterID: Int64, _ heartbeat: Heartbeat, shard: Int) -> [Pending]? {
        rows.append(Pending(clusterID: clusterID, heartbeat: heartbeat), shard: shard)
    }

    /// Writes everything waiting (also called before reading metrics, so graphs include the latest).
    func flush(on connection: Connection) throws(DatabaseError) {
        try rows.flush { (waiting) throws(DatabaseError) in try Self.insert(waiting, on: connection) }
    }

    /// Writes the rows that `append` handed back.
    func write(_ taken: [Pending], on connection: Connection) throws(DatabaseError) {
        try rows.write(taken) { (taken) throws(DatabaseError) in try Self.insert(taken, on: connection) }
    }

    private static func insert(_ rows: [Pending], on connection: Connection) throws(DatabaseError) {
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(start + batchSize, rows.count)]
            // The session's time zone is UTC, so FROM_UNIXTIME gives the UTC time, to the microsecond.
            let placeholders = Array(repeating: "(?, FROM_UNIXTIME(?), ?, ?, ?, ?, ?, ?, ?)", count: batch.count).joined(separator: ", ")
            var values: [SQLValue] = []
            values.reserveCapacity(batch.count * 9)
            for row in batch {
                let beat = row.heartbeat
                values += [.integer(row.clusterID), .double(beat.receivedAt), .double(beat.cpuPercent), .double(beat.load1m), .integer(beat.memoryUsedBytes),
                           .integer(beat.memoryTotalBytes), .integer(beat.diskFreeBytes), .integer(beat.diskTotalBytes), .integer(Int64(beat.running.count))]
            }
            try connection.execute(
                """
                INSERT INTO heartbeats (cluster_id, recorded_at, cpu_percent, load_1m, memory_used_bytes, memory_total_bytes, disk_free_bytes, disk_total_bytes, running_count)
                VALUES \(placeholders)
                """, values)
            start += batchSize
        }
    }
}
