import Foundation
import Synchronization

/// Signed-in users as the database last showed them, kept for a moment: every request checks its
/// user, and a round trip to MariaDB would cost more than the rest of the request together.
/// Changes made through this process take effect at once (they invalidate); changes made by
/// another API process take effect within `lifetime`.
public final class SignedInUserCache: Sendable {
    private struct Entry {
        var user: UserRecord
        var expiresAt: UInt64
    }

    private let entries = Mutex<[Int64: Entry]>([:])
    private let lifetimeNanoseconds: UInt64
    private let capacity: Int

    public init(lifetimeMilliseconds: Int, capacity: Int = 10_000) {
        self.lifetimeNanoseconds = UInt64(max(lifetimeMilliseconds, 0)) * 1_000_000
        self.capacity = capacity
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    func user(id: Int64) -> UserRecord? {
        guard lifetimeNanoseconds > 0 else { return nil }
        let now = Self.now
        return entries.withLock { entries in
            guard let entry = entries[id], entry.expiresAt > now else { return nil }
            return entry.user
        }
    }

    func store(_ user: UserRecord) {
        guard lifetimeNanoseconds > 0 else { return }
        let expiresAt = Self.now + lifetimeNanoseconds
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[user.id] = Entry(user: user, expiresAt: expiresAt)
        }
    }

    func invalidate(id: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
