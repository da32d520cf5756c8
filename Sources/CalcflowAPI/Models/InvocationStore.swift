import JSON
import MariaDB

/// `model_invocations`: every call of a model through the API.
struct InvocationStore {
    let connection: Connection
    /// Responses up to this size are kept with the record.
    static let keptResponseBytes = 64 * 1_024

    struct Record: Sendable {
        var modelID: Int64
        var userID: Int64?
        var image: String
        var imageDigest: String?
        var inputSHA256: String
        var inputBytes: Int
        var input: [UInt8]? = nil
        var status: Int
        var latencyMilliseconds: Double
        var contentType: String?
        var response: [UInt8]?
        var error: String?

        /// When the call was made, in seconds since 1970 (the row is written a moment later).
        var calledAt: Double = 0

        /// The input or response as the row keeps it: the text when under 64 KiB.
        static func kept(_ bytes: [UInt8]?) -> String? {
            bytes.flatMap { $0.count <= InvocationStore.keptResponseBytes ? String(decoding: $0, as: UTF8.self) : nil }
        }

        var keptBytes: Int {
            [input, response].reduce(0) { total, bytes in total + (bytes.map { $0.count <= InvocationStore.keptResponseBytes ? $0.count : 0 } ?? 0) }
        }
    }

    /// Bytes of kept input and response per statement, well under MariaDB's 16 MiB max_allowed_packet.
    static let statementBytes = 4 << 20
    static let statementRows = 250

    /// Many records in as few multi-row inserts as their size allows. IGNORE: a model deleted while
    /// its records waited in the buffer takes them along (its foreign key fails), not the batch.
    func record(_ records: [Record]) throws(DatabaseError) {
        var start = records.startIndex
        while start < records.endIndex {
            var end = start
            var bytes = 0
            while end < records.endIndex, end == start || (end - start < Self.statementRows && bytes + records[end].keptBytes <= Self.statementBytes) {
                bytes += records[end].keptBytes
                end += 1
            }
            let batch = records[start..<end]
            var values: [SQLValue] = []
            values.reserveCapacity(batch.count * 13)
            for record in batch {
                values += [.integer(record.modelID), SQLValue(record.userID), .text(record.image), SQLValue(record.imageDigest), .text(record.inputSHA256),
                           .integer(Int64(record.inputBytes)), SQLValue(Record.kept(record.input)), .integer(Int64(record.status)), .double(record.latencyMilliseconds),
                           SQLValue(record.contentType.map { String($0.prefix(200)) }), SQLValue(Record.kept(record.response)),
                           SQLValue(record.error.map { String($0.prefix(2_000)) }), .double(record.calledAt)]
            }
            try connection.execute(
                """
                INSERT IGNORE INTO model_invocations (model_id, user_id, image, image_digest, input_sha256, input_bytes, input, status, latency_ms,
                                                      content_type, response, error, created_at)
                VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?))", count: batch.count).joined(separator: ", "))
                """, values)
            start = end
        }
    }

    /// Newest first (the API's list), or oldest first after an id (the training export, with the inputs).
    /// Newest first before `afterID`, or oldest first after it (the export); from the end without one.
    func list(modelID: Int64, afterID: Int64?, limit: Int, oldestFirst: Bool = false) throws(DatabaseError) -> [(id: Int64, json: JSON)] {
        let bound = IDBound("i.id", after: afterID, descending: !oldestFirst)
        return try connection.query(
            """
            SELECT i.id, i.user_id, u.email, i.image, i.image_digest, i.input_sha256, i.input_bytes, i.status, i.latency_ms, i.content_type,
                   i.response, i.error, i.created_at\(oldestFirst ? ", i.input" : "")
            FROM model_invocations i LEFT JOIN users u ON u.id = i.user_id
            WHERE i.model_id = ?\(bound.andClause) ORDER BY i.id \(oldestFirst ? "ASC" : "DESC") LIMIT ?
            """, [.integer(modelID)] + bound.values + [.integer(Int64(limit))]
        ).map { row in
            var fields: [String: JSON] = [
                "id": JSON(row.int("id")), "user_id": JSON(row.int("user_id")), "user": JSON(row.string("email")), "image": JSON(row.string("image")),
                "image_digest": JSON(row.string("image_digest")), "input_sha256": JSON(row.string("input_sha256")),
                "input_bytes": JSON(row.int("input_bytes")), "status": JSON(row.int("status")), "latency_ms": JSON(row.double("latency_ms")),
                "content_type": JSON(row.string("content_type")), "response": JSON(row.string("response")), "error": JSON(row.string("error")),
                "created_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("created_at"))),
            ]
            if oldestFirst { fields["input"] = JSON(row.string("input")) }
            return (row.int("id") ?? 0, .object(fields))
        }
    }
}
