import CalcflowCore
import JSON
import MariaDB

/// A row of `models`, as the API shows it.
struct ModelRecord: Sendable {
    var id: Int64
    var name: String
    var image: String
    var imageDigest: String?
    var port: Int64
    var environment: [String: JSON]
    var modelData: String?
    var memoryLimitBytes: Int64?
    var startupTimeoutSeconds: Int64
    var invocationTimeoutSeconds: Int64
    var predicts: PredictionTarget?
    var autoPredict: Bool
    var desiredState: DesiredModelState
    var startGeneration: Int64
    var state: ModelState
    var restarts: Int64
    var containerID: String?
    var endpoint: String?
    var message: String?
    var lastPingAt: String?
    var reportedAt: String?
    /// Seconds since the controller last reported this model (nil: never).
    var secondsSinceReport: Int64?
    var createdBy: Int64?
    var createdAt: String?

    static let columns = """
        id, name, image, image_digest, port, environment, model_data, memory_limit_bytes, startup_timeout_seconds, invocation_timeout_seconds,
        predicts_analysis, predicts_unit, predicts_engine, auto_predict, desired_state, start_generation, state, restarts, container_id, endpoint,
        message, last_ping_at, reported_at, TIMESTAMPDIFF(SECOND, reported_at, CURRENT_TIMESTAMP(6)) AS since_report, created_by, created_at
        """

    init(row: Row) {
        id = row.int("id") ?? 0
        name = row.string("name") ?? ""
        image = row.string("image") ?? ""
        imageDigest = row.string("image_digest")
        port = row.int("port") ?? 8080
        environment = row.string("environment").flatMap { try? JSON.parse($0) }?.objectValue ?? [:]
        modelData = row.string("model_data")
        memoryLimitBytes = row.int("memory_limit_bytes")
        startupTimeoutSeconds = row.int("startup_timeout_seconds") ?? 240
        invocationTimeoutSeconds = row.int("invocation_timeout_seconds") ?? 60
        predicts = row.string("predicts_analysis").map {
            PredictionTarget(analysis: $0, unit: row.string("predicts_unit"), engine: row.string("predicts_engine"))
        }
        autoPredict = row.bool("auto_predict")
        desiredState = row.string("desired_state").flatMap(DesiredModelState.init(rawValue:)) ?? .stopped
        startGeneration = row.int("start_generation") ?? 0
        state = row.string("state").flatMap(ModelState.init(rawValue:)) ?? .stopped
        restarts = row.int("restarts") ?? 0
        containerID = row.string("container_id")
        endpoint = row.string("endpoint")
        message = row.string("message")
        lastPingAt = Timestamp.rfc3339(fromDatabase: row.string("last_ping_at"))
        reportedAt = Timestamp.rfc3339(fromDatabase: row.string("reported_at"))
        secondsSinceReport = row.int("since_report")
        createdBy = row.int("created_by")
        createdAt = Timestamp.rfc3339(fromDatabase: row.string("created_at"))
    }

    /// The state people see: `unknown` when a model that should run has no word from its controller
    /// within `silentAfter` seconds (or none at all).
    func shownState(silentAfter: Int64) -> ModelState {
        if desiredState == .stopped && state == .stopped { return .stopped }
        guard let secondsSinceReport, secondsSinceReport <= silentAfter else { return .unknown }
        return state
    }

    /// For people: no controller details they do not need, and what they may do.
    func json(role: Role, silentAfter: Int64) -> JSON {
        let shown = shownState(silentAfter: silentAfter)
        return [
            "id": .integer(id), "name": .string(name), "image": .string(image), "image_digest": JSON(imageDigest), "port": .integer(port), "environment": .object(environment),
            "model_data": JSON(modelData), "memory_limit_bytes": JSON(memoryLimitBytes), "startup_timeout_seconds": .integer(startupTimeoutSeconds),
            "invocation_timeout_seconds": .integer(invocationTimeoutSeconds), "predicts": predicts?.json ?? .null, "auto_predict": .bool(autoPredict),
            "desired_state": .string(desiredState.rawValue), "state": .string(shown.rawValue), "restarts": .integer(restarts),
            "last_ping_at": JSON(lastPingAt), "endpoint": JSON(endpoint),
            "message": shown == .unknown ? .string("its controller (calcflow-models) has not reported for \(silentAfter) s or more; check that it runs") : JSON(message),
            "reported_at": JSON(reportedAt), "created_by": JSON(createdBy), "created_at": JSON(createdAt),
            "allowed_actions": .array(ModelPolicy.allowedActions(role: role, desired: desiredState).map { .string($0.rawValue) }),
        ]
    }

    /// For the controller: what it must make so.
    var desiredJSON: JSON {
        [
            "id": .integer(id), "name": .string(name), "image": .string(image), "port": .integer(port), "environment": .object(environment),
            "model_data": JSON(modelData), "memory_limit_bytes": JSON(memoryLimitBytes), "startup_timeout_seconds": .integer(startupTimeoutSeconds),
            "desired_state": .string(desiredState.rawValue), "start_generation": .integer(startGeneration),
        ]
    }
}
