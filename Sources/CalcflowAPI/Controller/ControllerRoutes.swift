import CalcflowCore
import Foundation
import JSON

/// The model controller's side: its keys (admin), and the protocol it speaks with an `mk_` key:
/// the desired state of every model, its heartbeat with what it observed, and container log lines.
enum ControllerRoutes {
    static var routes: [Route] {
        [
            Route("POST", "/api/v1/controller/keys", access: .signedIn(minimum: .admin), handler: createKey),
            Route("GET", "/api/v1/controller/keys", access: .signedIn(minimum: .admin), handler: keys),
            Route("DELETE", "/api/v1/controller/keys/{id}", access: .signedIn(minimum: .admin), handler: revokeKey),
            Route("GET", "/api/v1/controller/models", access: .controllerKey, handler: desiredModels),
            Route("POST", "/api/v1/controller/heartbeat", access: .controllerKey, bodyLimit: AgentRoutes.uploadLimit, handler: heartbeat),
            Route("POST", "/api/v1/controller/logs", access: .controllerKey, bodyLimit: AgentRoutes.uploadLimit, handler: logs),
        ]
    }

    @Sendable static func createKey(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let label = try input.name("label", required: true, maxLength: 200) ?? ""
        try input.rejectUnknownFields()
        let created = try context.controllerKeys().create(label: label, createdBy: context.user.id)
        context.services.logger.info("controller_key_created", metadata: ["key": "\(created.id)", "by": "\(context.user.id)"])
        return .json(["id": .integer(created.id), "label": .string(label), "key": .string(created.key)], status: 201)
    }

    @Sendable static func keys(_ context: RequestContext) throws -> Response {
        .json(["items": .array(try context.controllerKeys().list()), "next_cursor": .null])
    }

    @Sendable static func revokeKey(_ context: RequestContext) throws -> Response {
        let id = try context.request.identifier()
        guard try context.controllerKeys().revoke(id: id) else { throw APIError(.notFound, "there is no active controller key \(id)") }
        context.services.logger.info("controller_key_revoked", metadata: ["key": "\(id)", "by": "\(context.user.id)"])
        return .noContent
    }

    @Sendable static func desiredModels(_ context: RequestContext) throws -> Response {
        .json(["items": .array(try context.models().all().map(\.desiredJSON)), "server_time": .string(Timestamp.rfc3339(Date()))])
    }

    @Sendable static func heartbeat(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        guard case .array(let models)? = try input.json("models", required: true) else {
            throw ValidationError(field: "models", message: "must be a list of {id, state, container_id, endpoint, last_ping_ok, restarts, message}")
        }
        try input.rejectUnknownFields()
        guard models.count <= 10_000 else { throw ValidationError(field: "models", message: "report at most 10000 models at a time") }
        var reports: [ModelStore.Report] = []
        for (index, model) in models.enumerated() {
            var fields = try InputObject(model, path: "models[\(index)]")
            let id = try fields.integer("id", required: true, range: 1...Int64.max) ?? 0
            guard let state = try fields.choice("state", of: ModelState.self, required: true), state != .unknown else {
                throw ValidationError(field: "models[\(index)].state", message: "must be stopped, starting, healthy, unhealthy, restarting or failed")
            }
            reports.append(ModelStore.Report(
                id: id, state: state, containerID: try fields.string("container_id", maxLength: 128),
                endpoint: try fields.string("endpoint", maxLength: 200), lastPingOK: try fields.bool("last_ping_ok") ?? false,
                restarts: try fields.integer("restarts", range: 0...Int64(UInt32.max)) ?? 0, message: try fields.string("message", maxLength: 100_000),
                imageDigest: try fields.string("image_digest", maxLength: 128)))
            try fields.rejectUnknownFields()
        }
        try context.models().record(reports)
        return .noContent
    }

    @Sendable static func logs(_ context: RequestContext) throws -> Response {
        let parsed = try LogEntriesInput.read(context, source: .controller)
        let models = try context.models()
        for id in Set(parsed.compactMap(\.modelID)) where try models.find(id: id) == nil {
            throw APIError(.notFound, "there is no model \(id)")
        }
        try LogStore(connection: context.database()).ingest(parsed, clusterID: nil)
        return .noContent
    }
}
