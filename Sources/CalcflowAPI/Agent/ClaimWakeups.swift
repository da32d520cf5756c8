import Foundation

/// Wakes agents' waiting claims (`POST /agent/claim` with `wait_seconds`) when something in this
/// process may have made a calculation of their cluster claimable: one created, approved or edited,
/// or one that finished and freed a slot under the cluster's `max_running`. Changes made through
/// another API host are seen by the waiting claim's own check once a second.
///
/// A waiting claim holds a worker thread: at most `capacity` wait at once, and a claim beyond that
/// answers at once, as one without `wait_seconds` does.
final class ClaimWakeups: @unchecked Sendable {
    private let condition = NSCondition()
    private var generations: [Int64: UInt64] = [:]
    private var waiting = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Something of `cluster` changed: its waiting claims look again.
    func announce(cluster: Int64) {
        condition.lock()
        generations[cluster, default: 0] &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Taken before a claim finds nothing, so that an announcement between that claim and the wait
    /// is not missed.
    func generation(of cluster: Int64) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generations[cluster, default: 0]
    }

    /// Takes one of the waiting places; false when all are taken.
    func beginWaiting() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard waiting < capacity else { return false }
        waiting += 1
        return true
    }

    func endWaiting() {
        condition.lock()
        waiting -= 1
        condition.unlock()
    }

    /// Returns when `cluster` was announced after `generation`, or at `deadline`.
    func wait(cluster: Int64, since generation: UInt64, until deadline: Date) {
        condition.lock()
        defer { condition.unlock() }
        while generations[cluster, default: 0] == generation, condition.wait(until: deadline) {}
    }
}
