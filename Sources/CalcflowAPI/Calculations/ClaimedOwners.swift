import Synchronization

/// Which cluster claimed each calculation, shared by every worker thread of the process. An agent
/// reports on one calculation many times (events, analyses), each report landing on any thread, and
/// the owner never changes after the claim: remembering it saves a read per report.
final class ClaimedOwners: Sendable {
    private let owners = Mutex<[Int64: Int64]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func cluster(of calculationID: Int64) -> Int64? {
        owners.withLock { $0[calculationID] }
    }

    func remember(calculationID: Int64, cluster: Int64) {
        owners.withLock { owners in
            // Forgetting all at once is cheap: each entry costs one read to learn again.
            if owners.count >= capacity { owners.removeAll(keepingCapacity: true) }
            owners[calculationID] = cluster
        }
    }

    func forget(calculationID: Int64) {
        _ = owners.withLock { $0.removeValue(forKey: calculationID) }
    }
}
