/// Finds a marker in a line of output byte by byte. Foundation's `contains` on a Substring goes
/// through NSString and UTF-16: it was half of the agent's CPU time on a campaign of xtb runs.
enum ByteSearch {
    static func contains<Line: Collection<UInt8>>(_ line: Line, _ pattern: some Collection<UInt8>) -> Bool {
        guard let first = pattern.first else { return true }
        var index = line.startIndex
        while let found = line[index...].firstIndex(of: first) {
            if line[found...].starts(with: pattern) { return true }
            index = line.index(after: found)
        }
        return false
    }
}

extension Substring {
    /// Whether the line holds `marker`, compared byte for byte (see `ByteSearch`).
    func holds(_ marker: String) -> Bool { ByteSearch.contains(utf8, marker.utf8) }
}
