import Foundation

/// Reads a file line by line in fixed-size chunks: constant memory whatever the file's size, and
/// bytes that are not UTF-8 become U+FFFD instead of stopping the read.
enum LineReader {
    static func forEachLine(in path: String, chunkSize: Int = 1 << 20, _ body: (Substring) -> Void) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        while let chunk = try? handle.read(upToCount: chunkSize), !chunk.isEmpty {
            chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var start = 0
                for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
                    pending.append(contentsOf: bytes[start..<index])
                    body(Substring(String(decoding: pending, as: UTF8.self)))
                    pending.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                pending.append(contentsOf: bytes[start..<bytes.count])
            }
        }
        if !pending.isEmpty { body(Substring(String(decoding: pending, as: UTF8.self))) }
    }
}
