import MariaDB

/// One batch of the training-data export: up to `limit` rows of one analysis in (calculation, step)
/// order after a position, with the calculations they belong to.
///
/// Two single-table statements, not one join: after a burst of writes, MariaDB 10.11 ran the cached
/// prepared join (analyses STRAIGHT_JOIN calculations, clusters, molecules) at 0.3 s a batch on some
/// of the API's threads: an export of 127,000 rows took 5.1-6.4 s on those instead of 0.6-0.9, for
/// minutes, on an idle machine. The filters on state and engine apply to the calculations, so a
/// batch may hold fewer rows than it read.
struct ExportBatch {
    struct Row {
        /// The calculation's columns, with its molecule's `formula` and its cluster's name (`cluster`).
        var calculation: MariaDB.Row
        var step: String
        var data: String?
    }

    /// The analysis rows read, matching the filters or not: a full batch means more may follow.
    var scanned: Int
    /// Where the next batch starts; nil when this one read nothing.
    var last: (id: Int64, step: String)?
    var rows: [Row]

    /// The rest of the `after` calculation's steps (`withinCalculation`), or the steps of the
    /// calculations after it. Two shapes instead of one `OR`: each batch is then a range of the
    /// (name, calculation_id) index, whose entries end with the primary key's step, and costs the
    /// same at the end of a long export as at its start (with the `OR`, an export of one calculation
    /// with 100,000 steps read every step again for each batch: 15 s instead of 1).
    static func read(_ database: Connection, analysis: String, state: String?, engine: String?, after: (id: Int64, step: String),
                     withinCalculation: Bool, limit: Int) throws(DatabaseError) -> ExportBatch {
        let position = withinCalculation ? "calculation_id = ? AND step > ?" : "calculation_id > ?"
        let positionValues: [SQLValue] = withinCalculation ? [.integer(after.id), .text(after.step)] : [.integer(after.id)]
        let analyses = try database.query(
            """
            SELECT calculation_id, step, data FROM calculation_analyses FORCE INDEX (calculation_analyses_name)
            WHERE name = ? AND \(position) ORDER BY calculation_id, step LIMIT ?
            """, [.text(analysis)] + positionValues + [.integer(Int64(limit))])
        let ids = Array(Set(analyses.compactMap { $0.int("calculation_id") })).sorted()
        var calculations: [Int64: MariaDB.Row] = [:]
        for start in stride(from: 0, to: ids.count, by: idsPerStatement) {
            // Always as many placeholders (0 is no calculation's id): one statement to prepare, not one per count.
            var chunk = ids[start..<min(start + idsPerStatement, ids.count)].map(SQLValue.integer)
            chunk += Array(repeating: SQLValue.integer(0), count: idsPerStatement - chunk.count)
            for row in try database.query(
                """
                SELECT c.id, c.name, c.engine, c.state, c.molecule_id, c.steps,
                       (SELECT m.formula FROM molecules m WHERE m.id = c.molecule_id) AS formula,
                       (SELECT k.name FROM clusters k WHERE k.id = c.cluster_id) AS cluster
                FROM calculations c
                WHERE c.id IN (\(placeholders)) AND (? IS NULL OR c.state = ?) AND (? IS NULL OR c.engine = ?)
                """, chunk + [SQLValue(state), SQLValue(state), SQLValue(engine), SQLValue(engine)]) {
                if let id = row.int("id") { calculations[id] = row }
            }
        }
        let rows = analyses.compactMap { entry -> Row? in
            guard let id = entry.int("calculation_id"), let calculation = calculations[id] else { return nil }
            return Row(calculation: calculation, step: entry.string("step") ?? "", data: entry.string("data"))
        }
        let last = analyses.last.map { (id: $0.int("calculation_id") ?? 0, step: $0.string("step") ?? "") }
        return ExportBatch(scanned: analyses.count, last: last, rows: rows)
    }

    static let idsPerStatement = 100
    private static let placeholders = Array(repeating: "?", count: idsPerStatement).joined(separator: ", ")
}
