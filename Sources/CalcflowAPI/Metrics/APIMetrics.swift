import CalcflowCore
import Metrics
import MariaDB
import Prometheus

/// Prometheus text at `GET /api/v1/metrics`, through swift-metrics with swift-prometheus. Counters and
/// histograms are recorded as things happen; what the database knows (queue depth per cluster,
/// calculations by state, each model's state and restarts) is read at scrape time.
public final class APIMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    /// Once per process, before any metric is made: swift-metrics' facade then reaches this registry.
    public func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Requests by route pattern (not path: ids would make a series each) and status.
    static func request(route: String, status: Int, handles: MetricHandles) {
        handles.counter("calcflow_http_requests_total", [("route", route), ("status", String(status))]).increment()
    }

    static func invocation(model: String, status: Int, milliseconds: Double, handles: MetricHandles) {
        handles.counter("calcflow_model_invocations_total", [("model", model), ("status", String(status))]).increment()
        handles.timer("calcflow_model_invocation_duration_seconds", [("model", model)]).recordNanoseconds(Int64(milliseconds * 1_000_000))
    }

    /// The scrape: gauges from the database, then the whole registry as Prometheus text.
    func scrape(on connection: Connection, models: ModelStore, silentAfter: Int64) throws -> [UInt8] {
        for row in try connection.query(
            """
            SELECT k.name, COUNT(c.id) AS queued FROM clusters k
            LEFT JOIN calculations c ON c.cluster_id = k.id AND c.state = 'queued' AND c.approved = 1 AND c.processed = 0
            GROUP BY k.id, k.name
            """) {
            Gauge(label: "calcflow_queue_depth", dimensions: [("cluster", row.string("name") ?? "")]).record(Double(row.int("queued") ?? 0))
        }
        var byState = Dictionary(uniqueKeysWithValues: CalculationState.allCases.map { ($0.rawValue, 0.0) })
        for row in try connection.query("SELECT state, COUNT(*) AS count FROM calculations GROUP BY state") {
            byState[row.string("state") ?? ""] = Double(row.int("count") ?? 0)
        }
        for (state, count) in byState { Gauge(label: "calcflow_calculations", dimensions: [("state", state)]).record(count) }
        for model in try models.all() {
            let shown = model.shownState(silentAfter: silentAfter)
            for state in ModelState.allCases {
                Gauge(label: "calcflow_model_state", dimensions: [("model", model.name), ("state", state.rawValue)]).record(state == shown ? 1 : 0)
            }
            Gauge(label: "calcflow_model_restarts", dimensions: [("model", model.name)]).record(Double(model.restarts))
        }
        return registry.emitToBuffer()
    }
}
