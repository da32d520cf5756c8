import Foundation
import Synchronization

/// Signed-in users as the database last showed them, kept for a moment: every request checks its
/// user, and a round trip to MariaDB would cost more than the rest of the request together.
///
/// Each worker thread keeps its own entries (no lock on the hot path); this shared part only holds a
/// generation that any change to any user raises, which makes every thread's entries stale at once.
/// Changes made through this process therefore apply to the very next request; changes made by
/// another API process apply within `lifetime`.
public final class SignedInUserCache: Sendable {
    private let generation = Atomic<UInt64>(0)
    let lifetimeNanoseconds: UInt64

    public init(lifetimeMilliseconds: Int) {
        self.lifetimeNanoseconds = UInt64(max(lifetimeMilliseconds, 0)) * 1_000_000
    }

    var currentGeneration: UInt64 { generation.load(ordering: .acquiring) }

    func invalidate(id: Int64) {
        generation.add(1, ordering: .releasing)
    }
}

/// One worker thread's cached users, valid while unexpired and of the current generation.
final class ThreadUserCache {
    private struct Entry {
        var user: UserRecord
        var expiresAt: UInt64
        var generation: UInt64
    }

    private let shared: SignedInUserCache
    private var entries: [Int64: Entry] = [:]
    private let capacity = 10_000

    init(shared: SignedInUserCache) {
        self.shared = shared
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    func user(id: Int64) -> UserRecord? {
        guard let entry = entries[id] else { return nil }
        guard entry.expiresAt > Self.now, entry.generation == shared.currentGeneration else {
            entries[id] = nil
            return nil
        }
        return entry.user
    }

    /// `generation` is read before the database was asked, so a change racing the read wins.
    func store(_ user: UserRecord, generation: UInt64) {
        guard shared.lifetimeNanoseconds > 0 else { return }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[user.id] = Entry(user: user, expiresAt: Self.now + shared.lifetimeNanoseconds, generation: generation)
    }

    var sharedCache: SignedInUserCache { shared }
}
