import Foundation

/// Wakes a loop that waits for something to do, or for its interval to pass: the claim loop when a
/// slot frees, the spool sender when an update is appended. A signal given while the loop was busy
/// is not lost: its next wait returns at once.
final class Wakeup: @unchecked Sendable {
    private let condition = NSCondition()
    private var signalled = false

    func signal() {
        condition.lock()
        signalled = true
        condition.signal()
        condition.unlock()
    }

    /// Returns when signalled (now or since the last wait) or after `seconds`.
    func wait(seconds: Double) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !signalled, condition.wait(until: deadline) {}
        signalled = false
    }
}
