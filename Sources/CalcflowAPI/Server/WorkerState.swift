import CalcflowCore
import Foundation
import HTTPClient
import Synchronization

/// What one worker thread remembers between requests, so that hot agent routes do not write or read
/// the same rows on every call.
final class WorkerState {
    /// The analysis catalog, read again when capabilities change (or after the cache lifetime).
    let catalog: ThreadCache<Int, AnalysisCatalog>
    /// Moderators and admins with their email levels, read again when any user changes.
    let staff: ThreadCache<Int, [NotificationPolicy.Person]>
    /// Clusters by id, read again when any cluster changes.
    let clusters: ThreadCache<Int64, ClusterRecord>
    /// Models by name, for the proxy: read again when any model changes (a controller's report, a stop).
    let models: ThreadCache<String, ModelRecord>
    /// This thread's connection to model containers: libcurl keeps it alive between invocations.
    let modelClient = HTTPClient()
    /// This thread's swift-metrics handles.
    let metrics = MetricHandles()
    /// This thread's number among the process's workers: it picks the heartbeat buffer's shard.
    let index: Int
    /// The pool this thread serves: a claim may wait for work only where the pool has room for it.
    let pool: ThreadPool
    private var lastSeenWrites: [Int64: UInt64] = [:]
    private var cancelLists: [Int64: (readAt: UInt64, ids: [Int64])] = [:]
    private var runningChecks: [Int64: (checkedAt: UInt64, ids: Set<Int64>)] = [:]
    private var galera: (readAt: UInt64, status: GaleraStatus?)?
    private static let second: UInt64 = 1_000_000_000

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    init(services: APIServices, pool: ThreadPool) {
        self.pool = pool
        catalog = ThreadCache(shared: services.catalogGeneration)
        staff = ThreadCache(shared: services.userGeneration)
        clusters = ThreadCache(shared: services.agentKeyGeneration)
        models = ThreadCache(shared: services.modelGeneration)
        index = services.workerCount.add(1, ordering: .relaxed).oldValue
    }

    /// True at most once a second per cluster: the cluster's "last seen" row is then written.
    func shouldMarkSeen(clusterID: Int64) -> Bool {
        let now = Self.now
        if let last = lastSeenWrites[clusterID], now - last < Self.second { return false }
        lastSeenWrites[clusterID] = now
        return true
    }

    /// True when a heartbeat's running calculations must be checked against the lost ones: at most
    /// once a second per cluster, unless it lists one this thread has not checked yet. A busy
    /// cluster's heartbeats list the same calculations again and again.
    func shouldCheckRunning(clusterID: Int64, ids: [Int64]) -> Bool {
        let now = Self.now
        if let last = runningChecks[clusterID], now - last.checkedAt < Self.second, ids.allSatisfy(last.ids.contains) { return false }
        runningChecks[clusterID] = (now, Set(ids))
        return true
    }

    /// The database node's Galera status, read again at most once a second (`/healthz` is polled hard).
    func galeraStatus(read: () throws -> GaleraStatus?) rethrows -> GaleraStatus? {
        let now = Self.now
        if let galera, now - galera.readAt < Self.second { return galera.status }
        let status = try read()
        galera = (now, status)
        return status
    }

    /// The cluster's cancellations, read again at most once a second.
    func cancellations(clusterID: Int64, read: () throws -> [Int64]) rethrows -> [Int64] {
        let now = Self.now
        if let cached = cancelLists[clusterID], now - cached.readAt < Self.second { return cached.ids }
        let ids = try read()
        cancelLists[clusterID] = (now, ids)
        return ids
    }
}
