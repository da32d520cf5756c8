import CalcflowCore
import JSON
import MariaDB

/// `models`: what people registered and asked for, and what the controller last reported.
struct ModelStore {
    let connection: Connection
    /// Raised by every write, so that each worker thread's cached models (the proxy's lookup) go stale.
    let changes: CacheGeneration

    func list(_ page: PageRequest) throws(DatabaseError) -> [ModelRecord] {
        try connection.query("SELECT \(ModelRecord.columns) FROM models WHERE id > ? ORDER BY id LIMIT ?",
                             [.integer(page.afterID ?? 0), .integer(Int64(page.limit + 1))]).map(ModelRecord.init(row:))
    }

    func all() throws(DatabaseError) -> [ModelRecord] {
        try connection.query("SELECT \(ModelRecord.columns) FROM models ORDER BY id LIMIT 10000").map(ModelRecord.init(row:))
    }

    func find(id: Int64) throws(DatabaseError) -> ModelRecord? {
        try connection.queryFirst("SELECT \(ModelRecord.columns) FROM models WHERE id = ?", [.integer(id)]).map(ModelRecord.init(row:))
    }

    func find(name: String) throws(DatabaseError) -> ModelRecord? {
        try connection.queryFirst("SELECT \(ModelRecord.columns) FROM models WHERE name = ?", [.text(name)]).map(ModelRecord.init(row:))
    }

    /// Nil when the name is taken.
    func create(_ input: ModelInput, createdBy: Int64) throws(DatabaseError) -> ModelRecord? {
        do {
            let result = try connection.execute(
                """
                INSERT INTO models (name, image, port, environment, model_data, memory_limit_bytes, startup_timeout_seconds,
                                    invocation_timeout_seconds, predicts_analysis, predicts_unit, predicts_engine, auto_predict, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(input.name ?? ""), .text(input.image ?? ""), .integer(input.port ?? 8080),
                 .text(JSON.object(input.environment ?? [:]).serializedString()), SQLValue(input.modelData ?? nil),
                 SQLValue(input.memoryLimitBytes ?? nil), .integer(input.startupTimeoutSeconds ?? 240), .integer(input.invocationTimeoutSeconds ?? 60),
                 SQLValue((input.predicts ?? nil)?.analysis), SQLValue((input.predicts ?? nil)?.unit), SQLValue((input.predicts ?? nil)?.engine),
                 SQLValue(input.autoPredict ?? false),
                 .integer(createdBy)])
            changes.invalidate()
            return try find(id: result.lastInsertID)
        } catch {
            if error.code == .duplicateEntry { return nil }
            throw error
        }
    }

    /// False when the new name is taken.
    func update(id: Int64, _ input: ModelInput) throws(DatabaseError) -> Bool {
        var assignments: [(column: String, value: SQLValue)] = []
        if let name = input.name { assignments.append(("name", .text(name))) }
        if let image = input.image { assignments.append(("image", .text(image))) }
        if let port = input.port { assignments.append(("port", .integer(port))) }
        if let environment = input.environment { assignments.append(("environment", .text(JSON.object(environment).serializedString()))) }
        if let modelData = input.modelData { assignments.append(("model_data", SQLValue(modelData))) }
        if let memory = input.memoryLimitBytes { assignments.append(("memory_limit_bytes", SQLValue(memory))) }
        if let startup = input.startupTimeoutSeconds { assignments.append(("startup_timeout_seconds", .integer(startup))) }
        if let timeout = input.invocationTimeoutSeconds { assignments.append(("invocation_timeout_seconds", .integer(timeout))) }
        if let predicts = input.predicts {
            assignments += [("predicts_analysis", SQLValue(predicts?.analysis)), ("predicts_unit", SQLValue(predicts?.unit)), ("predicts_engine", SQLValue(predicts?.engine))]
        }
        if let autoPredict = input.autoPredict { assignments.append(("auto_predict", SQLValue(autoPredict))) }
        do {
            try RowUpdate.apply(assignments, table: "models", id: id, on: connection)
            changes.invalidate()
            return true
        } catch {
            if error.code == .duplicateEntry { return false }
            throw error
        }
    }

    func delete(id: Int64) throws(DatabaseError) {
        try connection.execute("DELETE FROM models WHERE id = ?", [.integer(id)])
        changes.invalidate()
    }

    /// A start raises the generation, so that the controller begins afresh even from `failed`.
    func setDesired(id: Int64, _ desired: DesiredModelState) throws(DatabaseError) {
        try connection.execute(
            "UPDATE models SET desired_state = ?, start_generation = start_generation + IF(? = 'running', 1, 0) WHERE id = ?",
            [.text(desired.rawValue), .text(desired.rawValue), .integer(id)])
        changes.invalidate()
    }

    struct Report {
        var id: Int64
        var state: ModelState
        var containerID: String?
        var endpoint: String?
        var lastPingOK: Bool
        var restarts: Int64
        var message: String?
        var imageDigest: String?
    }

    /// The controller's view of each model; reports of models deleted since are ignored.
    func record(_ reports: [Report]) throws(DatabaseError) {
        for report in reports {
            try connection.execute(
                """
                UPDATE models SET state = ?, container_id = ?, endpoint = ?, restarts = ?, message = ?, image_digest = COALESCE(?, image_digest),
                       last_ping_at = IF(?, CURRENT_TIMESTAMP(6), last_ping_at), reported_at = CURRENT_TIMESTAMP(6)
                WHERE id = ?
                """,
                [.text(report.state.rawValue), SQLValue(report.containerID), SQLValue(report.endpoint), .integer(report.restarts),
                 SQLValue(report.message.map { $0.prefix(codePoints: 100_000) }), SQLValue(report.imageDigest), SQLValue(report.lastPingOK),
                 .integer(report.id)])
        }
        changes.invalidate()
    }
}
