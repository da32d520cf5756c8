import CalcflowCore
import JSON
import MariaDB

/// `predictions`: a model's answer for a calculation, and the value the calculation computed beside it.
struct PredictionStore {
    let connection: Connection

    func record(calculationID: Int64, modelID: Int64, analysis: String, value: Double?, unit: String?, status: Int, error: String?,
                requestedBy: Int64?) throws(DatabaseError) {
        try connection.execute(
            "INSERT INTO predictions (calculation_id, model_id, analysis, value, unit, status, error, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.integer(calculationID), .integer(modelID), .text(analysis), SQLValue(value), SQLValue(unit), .integer(Int64(status)),
             SQLValue(error.map { String($0.prefix(2_000)) }), SQLValue(requestedBy)])
    }

    /// The value a calculation computed for an analysis: its last step's `value` (steps in the
    /// calculation's order; '' is the calculation as a whole).
    func computed(calculation: CalculationRecord, analysis: String) throws(DatabaseError) -> Double? {
        try computed(calculationID: calculation.id, steps: calculation.steps, analysis: analysis)
    }

    func computed(calculationID: Int64, steps: JSON, analysis: String) throws(DatabaseError) -> Double? {
        let rows = try connection.query("SELECT step, data FROM calculation_analyses WHERE calculation_id = ? AND name = ?",
                                        [.integer(calculationID), .text(analysis)])
        return Self.lastStepValue(rows, steps: steps)
    }

    /// Of a calculation's rows of one analysis, the `value` of the last step in the calculation's order.
    private static func lastStepValue(_ rows: some Collection<Row>, steps: JSON) -> Double? {
        let order = (steps.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let ranked = rows.sorted { (order.firstIndex(of: $0.string("step") ?? "") ?? -1) < (order.firstIndex(of: $1.string("step") ?? "") ?? -1) }
        return ranked.last.flatMap { $0.string("data") }.flatMap { try? JSON.parse($0) }?["value"]?.doubleValue
    }

    /// The latest prediction of each model for a calculation.
    func latest(calculationID: Int64) throws(DatabaseError) -> [Int64: Row] {
        let rows = try connection.query(
            """
            SELECT p.model_id, p.analysis, p.value, p.unit, p.status, p.error, p.created_at FROM predictions p
            WHERE p.calculation_id = ? AND p.id = (SELECT MAX(q.id) FROM predictions q WHERE q.calculation_id = p.calculation_id AND q.model_id = p.model_id)
            """, [.integer(calculationID)])
        var latest: [Int64: Row] = [:]
        for row in rows { if let model = row.int("model_id") { latest[model] = row } }
        return latest
    }

    /// Every calculation with both a prediction of this model (its latest) and a computed value.
    func pairs(modelID: Int64, target: PredictionTarget) throws(DatabaseError) -> [(engine: String, predicted: Double, computed: Double)] {
        // Of the model's engine only, when it names one (PredictionTarget.covers): predictions it made
        // before it named one say nothing about what it is for. The newest 100,000 at most, each with
        // its computed rows in the same statement (one query per calculation took 1.7 s for 9,750).
        let engine = SQLValue(target.engine)
        let rows = try connection.query(
            """
            SELECT latest.id, latest.engine, latest.steps, latest.value, a.step, a.data FROM (
                SELECT c.id, c.engine, c.steps, p.value FROM predictions p JOIN calculations c ON c.id = p.calculation_id
                WHERE p.model_id = ? AND p.value IS NOT NULL AND (? IS NULL OR c.engine = ?)
                  AND p.id = (SELECT MAX(q.id) FROM predictions q WHERE q.calculation_id = p.calculation_id AND q.model_id = p.model_id AND q.value IS NOT NULL)
                ORDER BY c.id DESC LIMIT 100000
            ) AS latest
            JOIN calculation_analyses a ON a.calculation_id = latest.id AND a.name = ?
            ORDER BY latest.id
            """, [.integer(modelID), engine, engine, .text(target.analysis)])
        var pairs: [(engine: String, predicted: Double, computed: Double)] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let id = rows[start].int("id")
            var end = rows.index(after: start)
            while end < rows.endIndex, rows[end].int("id") == id { end = rows.index(after: end) }
            let first = rows[start]
            let steps = first.string("steps").flatMap { try? JSON.parse($0) } ?? .array([])
            if let predicted = first.double("value"), let computed = Self.lastStepValue(rows[start..<end], steps: steps) {
                pairs.append((first.string("engine") ?? "", predicted, computed))
            }
            start = end
        }
        return pairs
    }

    /// Succeeded calculations of an analysis that an auto_predict model has not predicted yet: all of
    /// them, newest first, or only those finished since `finishedFrom` (a database time), oldest first.
    func awaitingAutoPrediction(modelID: Int64, target: PredictionTarget, finishedFrom: String?, limit: Int) throws(DatabaseError) -> [Int64] {
        let analysis = target.analysis
        // The engine's condition is PredictionTarget.covers, in SQL: a model that names no engine takes them all.
        let engine = SQLValue(target.engine)
        guard let finishedFrom else {
            return try connection.query(
                """
                SELECT c.id FROM calculations c
                WHERE c.state = 'succeeded' AND JSON_CONTAINS(c.analyses, JSON_QUOTE(?)) AND (? IS NULL OR c.engine = ?)
                  AND EXISTS (SELECT 1 FROM calculation_analyses a WHERE a.calculation_id = c.id AND a.name = ?)
                  AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.calculation_id = c.id AND p.model_id = ?)
                ORDER BY c.id DESC LIMIT ?
                """, [.text(analysis), engine, engine, .text(analysis), .integer(modelID), .integer(Int64(limit))]).compactMap { $0.int("id") }
        }
        // Joins, with the range on finished_at forced: with EXISTS, MariaDB 10.11 materialised both
        // subqueries (every row of the analysis and of the model's predictions, 80 ms) even for a
        // range of a few hundred calculations.
        return try connection.query(
            """
            SELECT c.id FROM calculations c FORCE INDEX (calculations_finished_at)
            JOIN calculation_analyses a ON a.calculation_id = c.id AND a.name = ?
            LEFT JOIN predictions p ON p.calculation_id = c.id AND p.model_id = ?
            WHERE c.finished_at >= ? AND c.state = 'succeeded' AND JSON_CONTAINS(c.analyses, JSON_QUOTE(?)) AND (? IS NULL OR c.engine = ?)
              AND p.calculation_id IS NULL
            ORDER BY c.finished_at LIMIT ?
            """, [.text(analysis), .integer(modelID), .text(finishedFrom), .text(analysis), engine, engine, .integer(Int64(limit))]).compactMap { $0.int("id") }
    }
}
