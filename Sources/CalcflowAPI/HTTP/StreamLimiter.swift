import CalcflowCore
import Synchronization

/// At most `capacity` live streams at once (each holds a stream thread for its whole life), at most
/// `perUser` of them one user's, and the last slot kept for an admin: no user can take them all.
/// Agents' claims waiting on the stream threads count against `capacity` too, so that a stream
/// beyond it gets a quick refusal rather than waiting for a thread.
public final class StreamLimiter: Sendable {
    public let capacity: Int
    public let perUser: Int
    private let open = Mutex<[Int64: Int]>([:])

    public init(capacity: Int, perUser: Int) {
        self.capacity = capacity
        self.perUser = perUser
    }

    /// Streams open now, everyone's.
    var openCount: Int {
        open.withLock { $0.values.reduce(0, +) }
    }

    enum Refusal {
        case full
        case userLimit
    }

    /// `heldByClaims`: stream threads agents' waiting claims hold now.
    func enter(userID: Int64, role: Role, heldByClaims: Int = 0) -> Refusal? {
        open.withLock { counts in
            let mine = counts[userID] ?? 0
            guard mine < perUser else { return .userLimit }
            let total = counts.values.reduce(0, +)
            let limit = role == .admin || capacity == 1 ? capacity : capacity - 1
            guard total + heldByClaims < limit else { return .full }
            counts[userID] = mine + 1
            return nil
        }
    }

    func leave(userID: Int64) {
        open.withLock { counts in
            let remaining = (counts[userID] ?? 1) - 1
            counts[userID] = remaining > 0 ? remaining : nil
        }
    }
}
