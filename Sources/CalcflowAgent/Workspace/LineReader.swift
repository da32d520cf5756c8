import Foundation

/// Reads a file line by line in fixed-size chunks: constant memory whatever the file's size, and
/// bytes that are not UTF-8 become U+FFFD instead of stopping the read. `wants` sees each line's
/// first non-blank byte first: a line it refuses is never handed out, which is most of a long output.
enum LineReader {
    /// Each wanted line's bytes, without its newline.
    static func forEachLineOfBytes(in path: String, chunkSize: Int = 4 << 20, wants: (UInt8) -> Bool = { _ in true },
                                   _ body: (ArraySlice<UInt8>) -> Void) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        // Chunks no larger than the file: a 4 MiB buffer is zero-filled page by page, and for the
        // few kilobytes of a small calculation's output that was most of the agent's reading.
        // The size from the file's attributes, not by seeking: a file that cannot seek is still read.
        let chunkSize = Int(min(Int64(chunkSize), max(Workspace.size(of: URL(fileURLWithPath: path)), 4096)))
        var carry: [UInt8] = []
        func deliver(_ line: ArraySlice<UInt8>) {
            guard let first = line.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }), wants(line[first]) else { return }
            body(line)
        }
        while let data = try? handle.read(upToCount: chunkSize), !data.isEmpty {
            let chunk = [UInt8](data)
            var start = 0
            while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if carry.isEmpty {
                    deliver(chunk[start..<newline])
                } else {
                    carry.append(contentsOf: chunk[start..<newline])
                    deliver(carry[...])
                    carry.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            carry.append(contentsOf: chunk[start...])
        }
        if !carry.isEmpty { deliver(carry[...]) }
    }

    /// Each wanted line as text.
    static func forEachLine(in path: String, wants: (UInt8) -> Bool = { _ in true }, _ body: (Substring) -> Void) {
        forEachLineOfBytes(in: path, wants: wants) { body(Substring(String(decoding: $0, as: UTF8.self))) }
    }
}
