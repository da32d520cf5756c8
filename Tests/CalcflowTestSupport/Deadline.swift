import Foundation

/// Waits for a condition instead of sleeping a fixed time.
public enum Deadline {
    public struct Expired: Error, CustomStringConvertible {
        public var what: String
        public var description: String { "timed out waiting for \(what)" }
    }

    public static func wait(for what: String, seconds: Double = 30, interval: Double = 0.05, _ condition: () throws -> Bool) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: interval)
        }
        if try condition() { return }
        throw Expired(what: what)
    }
}
