import Synchronization

/// Rows on their way to MariaDB that the request does not wait for: appended by the worker threads,
/// written in multi-row inserts a few times a second by a background writer (one statement for
/// hundreds of rows instead of one each). What a crash can lose is the last fraction of a second.
///
/// One lock per shard, each worker thread appending to its own: with one shared lock, request
/// threads spent a fifth of their time spinning on it at 20,000 heartbeats a second.
final class WriteBuffer<Row: Sendable>: Sendable {
    private final class Shard: Sendable {
        let rows = Mutex<[Row]>([])
    }

    private let shards: [Shard]
    /// `highWater` shared out between the shards.
    private let shardHighWater: Int
    /// One writer at a time: a request that flushes before it reads waits for a write already under
    /// way (rows another thread took out and has not committed yet), then reads them.
    private let writer = Mutex<Void>(())

    /// Above `highWater` waiting rows in all, the request that adds one takes its shard's rows to
    /// write them itself: memory stays bounded when the writer falls behind.
    init(shardCount: Int = 16, highWater: Int, batchSize: Int) {
        shards = (0..<max(shardCount, 1)).map { _ in Shard() }
        shardHighWater = max(highWater / shards.count, batchSize)
    }

    /// Returns the rows to write now when the shard is too full to wait for the writer.
    func append(_ row: Row, shard: Int) -> [Row]? {
        shards[shard % shards.count].rows.withLock { rows in
            rows.append(row)
            guard rows.count >= shardHighWater else { return nil }
            defer { rows.removeAll(keepingCapacity: true) }
            return rows
        }
    }

    /// Puts back rows that could not be written (the database was unreachable), ahead of newer ones,
    /// as long as the first shard stays under its high water.
    func restore(_ rows: [Row]) {
        shards[0].rows.withLock { waiting in
            waiting.insert(contentsOf: rows.prefix(max(shardHighWater - waiting.count, 0)), at: 0)
        }
    }

    /// Takes everything waiting and writes it, one writer at a time.
    func flush<Failure: Error>(with write: ([Row]) throws(Failure) -> Void) throws(Failure) {
        try writer.withLock { _ throws(Failure) in try write(drain()) }
    }

    /// Writes rows that `append` handed back, one writer at a time.
    func write<Failure: Error>(_ rows: [Row], with write: ([Row]) throws(Failure) -> Void) throws(Failure) {
        try writer.withLock { _ throws(Failure) in try write(rows) }
    }

    /// Everything waiting, taken out of the buffer.
    private func drain() -> [Row] {
        shards.flatMap { shard in
            shard.rows.withLock { rows in
                defer { rows.removeAll(keepingCapacity: true) }
                return rows
            }
        }
    }
}
