import Foundation

/// CPU, load, memory and disk, read from /proc and the file system, for heartbeats.
final class SystemSampler {
    private var previous: (busy: UInt64, total: UInt64)?
    let diskPath: String

    init(diskPath: String) {
        self.diskPath = diskPath
    }

    struct Sample {
        var cpuPercent: Double
        var load1m: Double
        var memoryUsedBytes: Int64
        var memoryTotalBytes: Int64
        var diskFreeBytes: Int64
        var diskTotalBytes: Int64
    }

    func sample() -> Sample {
        Sample(cpuPercent: cpuPercent(), load1m: load(), memoryUsedBytes: memory().used, memoryTotalBytes: memory().total,
               diskFreeBytes: disk().free, diskTotalBytes: disk().total)
    }

    /// Busy share of all CPUs since the previous sample (since boot for the first).
    private func cpuPercent() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return 0 }
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        let total = fields.reduce(0, +)
        let busy = total - idle
        defer { previous = (busy, total) }
        guard let previous, total > previous.total else { return total == 0 ? 0 : Double(busy) / Double(total) * 100 }
        return Double(busy - min(busy, previous.busy)) / Double(total - previous.total) * 100
    }

    private func load() -> Double {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) } ?? 0
    }

    private func memory() -> (used: Int64, total: Int64) {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return (0, 0) }
        var values: [String: Int64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Int64(parts[1]) { values[String(parts[0].dropLast())] = value * 1_024 }
        }
        let total = values["MemTotal"] ?? 0
        return (total - (values["MemAvailable"] ?? 0), total)
    }

    private func disk() -> (free: Int64, total: Int64) {
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: diskPath) else { return (0, 0) }
        return ((attributes[.systemFreeSize] as? NSNumber)?.int64Value ?? 0, (attributes[.systemSize] as? NSNumber)?.int64Value ?? 0)
    }
}
