import Foundation

/// One worker thread's cached rows, valid while unexpired and of the current generation.
final class ThreadCache<Key: Hashable, Value> {
    private struct Entry {
        var value: Value
        var expiresAt: UInt64
        var generation: UInt64
    }

    private let shared: CacheGeneration
    private var entries: [Key: Entry] = [:]
    private let capacity = 10_000

    init(shared: CacheGeneration) {
        self.shared = shared
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// The cached value, or `load()`'s, which is then kept (nil is not kept).
    func value(for key: Key, load: () throws -> Value?) rethrows -> Value? {
        if let entry = entries[key], entry.expiresAt > Self.now, entry.generation == shared.current {
            return entry.value
        }
        // Read before loading, so that a change racing the load leaves the entry stale.
        let generation = shared.current
        guard let value = try load() else {
            entries[key] = nil
            return nil
        }
        if shared.lifetimeNanoseconds > 0 {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expiresAt: Self.now + shared.lifetimeNanoseconds, generation: generation)
        }
        return value
    }
}
