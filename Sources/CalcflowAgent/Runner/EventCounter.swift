import Foundation

/// The `seq` of a calculation's events, kept in its folder so that an agent restarted mid-run goes
/// on counting instead of reusing numbers the API would ignore.
final class EventCounter {
    private let file: URL
    private var last: Int64

    init(folder: URL) {
        file = folder.appendingPathComponent("calcflow.seq")
        last = (try? String(contentsOf: file, encoding: .utf8)).flatMap { Int64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    func next() -> Int64 {
        last += 1
        try? String(last).write(to: file, atomically: true, encoding: .utf8)
        return last
    }
}
