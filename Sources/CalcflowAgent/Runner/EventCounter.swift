import Foundation

/// The `seq` of a calculation's events, kept in its folder so that an agent restarted mid-run goes
/// on counting instead of reusing numbers the API would ignore.
///
/// Each number is appended to `calcflow.seq` without an fsync: the event itself is fsynced in the
/// spool, and an fsync per event here halved a campaign's throughput. A killed agent loses nothing
/// appended; only a machine that loses power can lose the last numbers, so a resumed count starts
/// 1,000 past the last one it finds. A gap in `seq` is harmless; a reused number would drop an event.
final class EventCounter {
    static let name = StepFiles.eventNumbers
    static let resumeGap: Int64 = 1_000

    private let file: URL
    private var last: Int64

    init(folder: URL) {
        file = folder.appendingPathComponent(Self.name)
        let recorded = (try? String(contentsOf: file, encoding: .utf8))?
            .split(separator: "\n").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }.max()
        last = recorded.map { $0 + Self.resumeGap } ?? 0
    }

    func next() -> Int64 {
        last += 1
        if !FileManager.default.fileExists(atPath: file.path) { try? SmallFile.write("", to: file) }
        if let handle = try? FileHandle(forWritingTo: file) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data("\(last)\n".utf8))
            try? handle.close()
        }
        return last
    }
}
