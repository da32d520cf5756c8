import Foundation
import JSON

/// Every update for the API goes through this append-only file first, fsynced, and leaves it only
/// once the API accepted it. With the API away for an hour, updates wait here in order and are
/// replayed when it returns; events carry `seq`, so a replay is harmless.
final class UpdateSpool: @unchecked Sendable {
    struct Update: Sendable {
        var method: String
        var path: String
        var body: JSON
    }

    private let file: String
    private let offsetFile: String
    private let lock = NSLock()
    /// Lines written so far, and how many of them an fsync has covered (under `syncLock`).
    private var written = 0
    private var synced = 0
    private let syncLock = NSLock()
    /// Signalled after every append: the sender wakes for it instead of polling.
    let appended = Wakeup()

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        file = directory + "/updates.jsonl"
        offsetFile = directory + "/updates.offset"
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
    }

    /// Appends and fsyncs: once this returns, the update survives a crash.
    ///
    /// The fsync is shared (a group commit): calculations appending at once each write under the
    /// lock, then one fsync covers every line written before it began, instead of one fsync each
    /// in turn while the others wait for the lock.
    func append(_ update: Update) throws {
        try append(contentsOf: [update])
    }

    /// Appends several in order with one write and one fsync: a step's report (its analyses, its
    /// provenance and its event) costs one disk flush, not three.
    func append(contentsOf updates: [Update]) throws {
        guard !updates.isEmpty else { return }
        let line = updates.map(Self.line).joined()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        let ticket: Int = try lock.withLock {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
            written += 1
            return written
        }
        try syncLock.withLock {
            guard synced < ticket else { return }
            let covered = lock.withLock { written }
            try handle.synchronize()
            synced = covered
        }
        appended.signal()
    }

    /// An update as its line in the file.
    static func line(_ update: Update) -> String {
        JSON.object(["method": .string(update.method), "path": .string(update.path), "body": update.body]).serializedString() + "\n"
    }

    private func readOffset() -> Int {
        (try? String(contentsOfFile: offsetFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// The updates not yet accepted, oldest first, with the byte offset after each and the length of its line.
    func pending() -> [(update: Update, end: Int, size: Int)] {
        lock.lock()
        defer { lock.unlock() }
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        var offset = readOffset()
        // Past the end: the file was emptied after everything in it was accepted, and what is in
        // it now came after.
        if offset > data.count { offset = 0 }
        var result: [(Update, Int, Int)] = []
        while offset < data.count, let newline = data[offset...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = data[offset..<newline]
            offset = newline + 1
            guard let json = try? JSON.parse(Array(line)), let method = json["method"]?.stringValue, let path = json["path"]?.stringValue else { continue }
            result.append((Update(method: method, path: path, body: json["body"] ?? .null), offset, line.count + 1))
        }
        return result
    }

    /// Marks everything before `offset` as accepted; an emptied spool starts again from zero.
    ///
    /// The offset is written without an fsync, in one small write: an offset lost to a power cut
    /// only sends some updates again, which `seq` and the idempotent uploads make harmless, and
    /// every round of a busy campaign saves a disk flush.
    func acknowledge(through offset: Int) throws {
        lock.lock()
        defer { lock.unlock() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        if offset >= size {
            // The offset first: a stop in between sends the accepted updates again, never skips new ones.
            try SmallFile.write("0", to: URL(fileURLWithPath: offsetFile))
            try SmallFile.write("", to: URL(fileURLWithPath: file))
        } else {
            try SmallFile.write(String(offset), to: URL(fileURLWithPath: offsetFile))
        }
    }
}
