import Metrics

/// One worker thread's swift-metrics handles, by label and dimensions: making a handle looks it up in
/// Prometheus' registry under a lock and checks its name, which cost more than the request's routing.
final class MetricHandles {
    private struct Key: Hashable {
        var label: String
        var dimensions: [String]
    }

    private var counters: [Key: Counter] = [:]
    private var timers: [Key: Timer] = [:]
    /// Routes, statuses and models are few; this only bounds a flood of new model names.
    private let capacity = 5_000

    func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        handle(in: &counters, Key(label: label, dimensions: dimensions.map(\.1))) { Counter(label: label, dimensions: dimensions) }
    }

    func timer(_ label: String, _ dimensions: [(String, String)]) -> Timer {
        handle(in: &timers, Key(label: label, dimensions: dimensions.map(\.1))) { Timer(label: label, dimensions: dimensions) }
    }

    private func handle<Handle>(in handles: inout [Key: Handle], _ key: Key, make: () -> Handle) -> Handle {
        if let handle = handles[key] { return handle }
        if handles.count >= capacity { handles.removeAll(keepingCapacity: true) }
        let handle = make()
        handles[key] = handle
        return handle
    }
}
