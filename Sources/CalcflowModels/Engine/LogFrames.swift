/// The log stream of a container without a TTY comes multiplexed: each frame an 8-byte header (the
/// stream, 1 stdout or 2 stderr, three zero bytes, a big-endian length) and then that many bytes. A
/// container with a TTY sends the raw text, and podman labels either way, so the caller says which.
public enum LogFrames {
    /// The text of the stream, frames joined; a truncated last frame is kept as far as it goes.
    public static func demultiplex(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index + 8 <= bytes.count {
            let stream = bytes[index]
            guard stream <= 2, bytes[index + 1] == 0, bytes[index + 2] == 0, bytes[index + 3] == 0 else {
                // Not a frame header: the rest is raw text after all.
                output += bytes[index...]
                return output
            }
            let length = Int(bytes[index + 4]) << 24 | Int(bytes[index + 5]) << 16 | Int(bytes[index + 6]) << 8 | Int(bytes[index + 7])
            let start = index + 8
            let end = min(start + length, bytes.count)
            output += bytes[start..<end]
            index = start + length
        }
        return output
    }

    /// The last `count` lines of a log, frames removed unless the container has a TTY.
    public static func lastLines(_ bytes: [UInt8], tty: Bool, count: Int) -> [String] {
        let text = String(decoding: tty ? bytes : demultiplex(bytes), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmingSuffixCarriageReturn()) }
        let trimmed = lines.last == "" ? Array(lines.dropLast()) : lines
        return Array(trimmed.suffix(count))
    }
}

extension Substring {
    func trimmingSuffixCarriageReturn() -> Substring { hasSuffix("\r") ? dropLast() : self }
}
