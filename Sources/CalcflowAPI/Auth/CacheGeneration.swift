import Foundation
import Synchronization

/// Rows that every request needs (the signed-in user, the agent's key), kept for a moment: a round
/// trip to MariaDB would cost more than the rest of the request together.
///
/// Each worker thread keeps its own entries (`ThreadCache`, no lock on the hot path); this shared
/// part only holds a generation that any change raises, which makes every thread's entries stale at
/// once. Changes made through this process therefore apply to the very next request; changes made
/// by another API process apply within `lifetime`.
public final class CacheGeneration: Sendable {
    private let generation = Atomic<UInt64>(0)
    let lifetimeNanoseconds: UInt64

    public init(lifetimeMilliseconds: Int) {
        self.lifetimeNanoseconds = UInt64(max(lifetimeMilliseconds, 0)) * 1_000_000
    }

    var current: UInt64 { generation.load(ordering: .acquiring) }

    func invalidate() {
        generation.add(1, ordering: .releasing)
    }
}
