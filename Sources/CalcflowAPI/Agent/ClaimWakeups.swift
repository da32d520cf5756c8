import Foundation

/// Wakes agents' waiting claims (`POST /agent/claim` with `wait_seconds`) when something in this
/// process may have made a calculation of their cluster claimable: one created, approved or edited,
/// or one that finished and freed a slot under the cluster's `max_running`. Changes made through
/// another API host are seen by the waiting claim's own check once a second.
///
/// A waiting claim holds the thread it came on. nginx sends claims to the stream threads, which are
/// there to wait; a quarter of them (two at least) may hold claims, as long as two stay free for what comes next
/// (open streams counted). A claim that comes on the request threads (an nginx configuration from
/// before claims had a location of their own) may hold a quarter of those. A claim beyond that answers
/// at once, as one without `wait_seconds` does, and its agent asks again after its claim interval.
final class ClaimWakeups: @unchecked Sendable {
    private let condition = NSCondition()
    private var generations: [Int64: UInt64] = [:]
    private var waitingOnRequests = 0
    private var waitingOnStreams = 0
    private let requestCapacity: Int
    private let streamCapacity: Int
    /// Stream threads that claims and streams together may hold.
    private let streamThreadsToHold: Int

    init(requestThreads: Int, streamThreads: Int) {
        requestCapacity = max(1, requestThreads / 4)
        streamCapacity = max(2, streamThreads / 4)
        streamThreadsToHold = max(1, streamThreads - 2)
    }

    func capacity(of pool: ThreadPool) -> Int {
        switch pool {
        case .requests: requestCapacity
        case .streams: streamCapacity
        }
    }

    /// Claims waiting on `pool` now; the stream limiter counts those on the stream threads.
    func waitingCount(on pool: ThreadPool) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting(on: pool)
    }

    private func waiting(on pool: ThreadPool) -> Int {
        switch pool {
        case .requests: waitingOnRequests
        case .streams: waitingOnStreams
        }
    }

    private func changeWaiting(on pool: ThreadPool, by change: Int) {
        switch pool {
        case .requests: waitingOnRequests += change
        case .streams: waitingOnStreams += change
        }
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

    /// Takes one of the waiting places of `pool`; false when all are taken. `openStreams` are the
    /// live streams holding stream threads now.
    func beginWaiting(on pool: ThreadPool, openStreams: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let mine = waiting(on: pool)
        guard mine < capacity(of: pool) else { return false }
        if pool == .streams, mine + openStreams >= streamThreadsToHold { return false }
        changeWaiting(on: pool, by: 1)
        return true
    }

    func endWaiting(on pool: ThreadPool) {
        condition.lock()
        changeWaiting(on: pool, by: -1)
        condition.unlock()
    }

    /// Returns when `cluster` was announced after `generation`, or at `deadline`.
    func wait(cluster: Int64, since generation: UInt64, until deadline: Date) {
        condition.lock()
        defer { condition.unlock() }
        while generations[cluster, default: 0] == generation, condition.wait(until: deadline) {}
    }
}
