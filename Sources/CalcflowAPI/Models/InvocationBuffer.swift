import MariaDB

/// Invocation records on their way to `model_invocations`. A prediction is answered as soon as the
/// container answers; its record is written a moment later with others in one statement, because one
/// insert per prediction cost MariaDB more CPU than the prediction. Listing or exporting invocations
/// writes what waits first; what a crash can lose is the last fraction of a second of records.
public final class InvocationBuffer: Sendable {
    private let records = WriteBuffer<InvocationStore.Record>(highWater: 4_000, batchSize: InvocationStore.statementRows)

    public init() {}

    /// Records the call, or, when the buffer is full, writes this shard's waiting records at once.
    func append(_ record: InvocationStore.Record, shard: Int, connection: Connection) throws(DatabaseError) {
        if let overflow = records.append(record, shard: shard) {
            try records.write(overflow) { (taken) throws(DatabaseError) in
                try InvocationStore(connection: connection).record(taken.sorted { $0.calledAt < $1.calledAt })
            }
        }
    }

    /// Writes everything waiting; a write another thread has under way is committed first.
    func flush(on connection: Connection) throws(DatabaseError) {
        try records.flush { (taken) throws(DatabaseError) in
            // In the order they were made, across the threads' shards: ids follow time, as the list expects.
            let waiting = taken.sorted { $0.calledAt < $1.calledAt }
            guard !waiting.isEmpty else { return }
            do throws(DatabaseError) {
                try InvocationStore(connection: connection).record(waiting)
            } catch where error.code == .connectionLost || error.code == .connectionFailed {
                // Kept for the writer's next round, on a new connection.
                records.restore(waiting)
                throw error
            }
        }
    }
}
