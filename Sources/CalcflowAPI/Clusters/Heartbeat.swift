import CalcflowCore
import Foundation
import JSON

/// An agent's `POST /agent/heartbeat` body.
struct Heartbeat: Sendable {
    var cpuPercent: Double
    var load1m: Double
    var memoryUsedBytes: Int64
    var memoryTotalBytes: Int64
    var diskFreeBytes: Int64
    var diskTotalBytes: Int64
    var running: [Int64]
    var agentVersion: String
    /// When the API received it, in seconds since 1970: buffered rows keep their own time.
    var receivedAt: Double

    init(_ input: inout InputObject) throws(ValidationError) {
        receivedAt = Date().timeIntervalSince1970
        cpuPercent = try input.number("cpu_percent", required: true) ?? 0
        load1m = try input.number("load_1m", required: true) ?? 0
        memoryUsedBytes = try input.integer("memory_used_bytes", required: true, range: 0...Int64.max) ?? 0
        memoryTotalBytes = try input.integer("memory_total_bytes", required: true, range: 0...Int64.max) ?? 0
        diskFreeBytes = try input.integer("disk_free_bytes", required: true, range: 0...Int64.max) ?? 0
        diskTotalBytes = try input.integer("disk_total_bytes", required: true, range: 0...Int64.max) ?? 0
        agentVersion = try input.string("agent_version", maxLength: 64) ?? ""
        guard let running = try input.json("running") else {
            self.running = []
            try input.rejectUnknownFields()
            return
        }
        guard case .array(let ids) = running, ids.allSatisfy({ $0.integerValue != nil }) else {
            throw ValidationError(field: "running", message: "must be a list of calculation ids")
        }
        self.running = ids.compactMap(\.integerValue)
        if !(0...100_000).contains(cpuPercent) { throw ValidationError(field: "cpu_percent", message: "must be a percentage") }
        try input.rejectUnknownFields()
    }

    var latestJSON: JSON {
        [
            "cpu_percent": .number(cpuPercent), "load_1m": .number(load1m), "memory_used_bytes": .integer(memoryUsedBytes),
            "memory_total_bytes": .integer(memoryTotalBytes), "disk_free_bytes": .integer(diskFreeBytes),
            "disk_total_bytes": .integer(diskTotalBytes), "running": .integer(Int64(running.count)),
        ]
    }
}
