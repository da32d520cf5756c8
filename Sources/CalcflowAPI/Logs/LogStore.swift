import Foundation
import JSON
import MariaDB

/// `logs`: what agents report, for the dashboard's filters and live stream.
struct LogStore {
    let connection: Connection

    enum Level: String, CaseIterable, Sendable {
        case debug = "DEBUG"
        case info = "INFO"
        case warning = "WARNING"
        case error = "ERROR"
    }

    struct Entry {
        var time: Date
        var level: Level
        var message: String
        var calculationID: Int64?
        /// A model container's line, reported by its controller.
        var modelID: Int64? = nil
    }

    /// Stores a batch in multi-row inserts. Entries about calculations of other clusters are refused.
    func ingest(_ entries: [Entry], clusterID: Int64?) throws {
        let ids = Set(entries.compactMap(\.calculationID))
        if !ids.isEmpty, let clusterID {
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            let own = try connection.query("SELECT id FROM calculations WHERE cluster_id = ? AND id IN (\(placeholders))",
                                           [.integer(clusterID)] + ids.map(SQLValue.integer))
            let ownIDs = Set(own.compactMap { $0.int("id") })
            if let foreign = ids.subtracting(ownIDs).first {
                throw APIError(.notFound, "there is no calculation \(foreign) on this cluster")
            }
        }
        // Chunks of one fixed size keep the number of distinct prepared statements small.
        let chunk = 50
        try connection.transaction { connection in
            var start = 0
            while start < entries.count {
                let slice = entries[start..<min(start + chunk, entries.count)]
                let rows = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: slice.count).joined(separator: ", ")
                var values: [SQLValue] = []
                for entry in slice {
                    values += [SQLValue(clusterID), SQLValue(entry.calculationID), SQLValue(entry.modelID), .text(entry.level.rawValue),
                               .text(entry.message), .text(TimeParameter.database(entry.time))]
                }
                try connection.execute("INSERT INTO logs (cluster_id, calculation_id, model_id, level, message, logged_at) VALUES \(rows)", values)
                start += chunk
            }
        }
    }

    struct Filter {
        var clusterID: Int64?
        var calculationID: Int64?
        var modelID: Int64?
        var level: Level?
        var since: Date?
    }

    /// Oldest first after `afterID` (streams, exports), or newest first before it (the page's history);
    /// from the very first or last entry without one.
    func entries(_ filter: Filter, afterID: Int64?, limit: Int, newestFirst: Bool = false) throws(DatabaseError) -> [(id: Int64, json: JSON)] {
        let bound = IDBound("l.id", after: afterID, descending: newestFirst)
        var conditions = [bound.condition ?? "TRUE"]
        var values = bound.values
        if let cluster = filter.clusterID { conditions.append("l.cluster_id = ?"); values.append(.integer(cluster)) }
        if let calculation = filter.calculationID { conditions.append("l.calculation_id = ?"); values.append(.integer(calculation)) }
        if let model = filter.modelID { conditions.append("l.model_id = ?"); values.append(.integer(model)) }
        if let level = filter.level { conditions.append("l.level = ?"); values.append(.text(level.rawValue)) }
        if let since = filter.since { conditions.append("l.logged_at >= ?"); values.append(.text(TimeParameter.database(since))) }
        values.append(.integer(Int64(limit)))
        return try connection.query(
            """
            SELECT l.id, l.cluster_id, k.name AS cluster, l.calculation_id, l.model_id, m.name AS model, l.level, l.message, l.logged_at, l.received_at
            FROM logs l LEFT JOIN clusters k ON k.id = l.cluster_id LEFT JOIN models m ON m.id = l.model_id
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY l.id \(newestFirst ? "DESC" : "ASC") LIMIT ?
            """, values
        ).map { row in
            (row.int("id") ?? 0, [
                "id": JSON(row.int("id")), "cluster_id": JSON(row.int("cluster_id")), "cluster": JSON(row.string("cluster")),
                "calculation_id": JSON(row.int("calculation_id")), "model_id": JSON(row.int("model_id")), "model": JSON(row.string("model")),
                "level": JSON(row.string("level")), "message": JSON(row.string("message")),
                "ts": JSON(Timestamp.rfc3339(fromDatabase: row.string("logged_at"))),
                "received_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("received_at"))),
            ])
        }
    }

    func latestID() throws(DatabaseError) -> Int64 {
        try connection.queryFirst("SELECT COALESCE(MAX(id), 0) AS latest FROM logs")?.int("latest") ?? 0
    }

    func delete(before: Date) throws(DatabaseError) -> Int64 {
        try connection.execute("DELETE FROM logs WHERE logged_at < ?", [.text(TimeParameter.database(before))]).affectedRows
    }
}
