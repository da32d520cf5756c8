import CalcflowCore
import Foundation
import JSON

/// The model proxy: `POST /api/v1/models/{id}/invocations` and nginx's `/ml/{name}/invocations`. The
/// body, `Content-Type`, `Accept` and `X-Amzn-SageMaker-Custom-Attributes` go to the container's
/// `POST /invocations` unchanged, and its status, content type and body come back unchanged. A model
/// that is not healthy is a 503; the container failing mid-request a 502; the model's timeout a 504.
/// Every invocation is recorded.
enum InvocationRoutes {
    static let bodyLimit = 16 << 20

    static var routes: [Route] {
        [
            Route("POST", "/api/v1/models/{id}/invocations", access: .anyUser, bodyLimit: bodyLimit, handler: invokeByID),
            Route("POST", "/ml/{name}/invocations", access: .anyUser, bodyLimit: bodyLimit, handler: invokeByName),
            Route("GET", "/api/v1/models/{id}/invocations", access: .anyUser, handler: list),
            Route("GET", "/api/v1/export/invocations", access: .anyUser, handler: export),
        ]
    }

    @Sendable static func invokeByID(_ context: RequestContext) throws -> Response {
        try invoke(ModelRoutes.model(context).1, context)
    }

    @Sendable static func invokeByName(_ context: RequestContext) throws -> Response {
        let name = context.request.pathParameters["name"] ?? ""
        let store = try context.models()
        guard let model = try context.worker.models.value(for: name, load: { try store.find(name: name) }) else { throw APIError(.notFound, "there is no model named '\(name)'") }
        return try invoke(model, context)
    }

    static func invoke(_ model: ModelRecord, _ context: RequestContext) throws -> Response {
        let request = context.request
        var headers: [(name: String, value: String)] = [("Content-Type", request.contentType ?? "application/json")]
        if let accept = request.accept { headers.append(("Accept", accept)) }
        if let attributes = request.customAttributes { headers.append(("X-Amzn-SageMaker-Custom-Attributes", attributes)) }
        return try context.modelInvoker().invoke(model, body: request.body, headers: headers, userID: context.user.id).response
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let (_, model) = try ModelRoutes.model(context)
        try context.services.invocations.flush(on: context.database())
        let items = try InvocationStore(connection: context.database()).list(modelID: model.id, afterID: page.afterID, limit: page.limit + 1)
        return .json(page.page(of: items, id: \.id, render: \.json))
    }

    /// `GET /export/invocations?model_id=N`: every recorded invocation of a model, oldest first, as JSON
    /// lines with what it was asked and what it answered (both when under 64 KiB), streamed.
    @Sendable static func export(_ context: RequestContext) throws -> Response {
        guard let modelID = try CalculationRoutes.integerQuery(context, "model_id") else {
            throw ValidationError(field: "model_id", message: "is required, e.g. ?model_id=1")
        }
        if let format = context.request.query["format"], format != "jsonl" { throw ValidationError(field: "format", message: "must be jsonl") }
        guard let model = try context.models().find(id: modelID) else { throw APIError(.notFound, "there is no model \(modelID)") }
        try context.services.invocations.flush(on: context.database())
        let store = InvocationStore(connection: try context.database())
        let output = context.stream
        output.start(headers: [("Content-Type", "application/x-ndjson; charset=utf-8"),
                               ("Content-Disposition", "attachment; filename=\"\(model.name)-invocations.jsonl\"")])
        var after: Int64 = 0
        while output.isConnected {
            let rows = try store.list(modelID: modelID, afterID: after, limit: 500, oldestFirst: true)
            output.write(rows.map { $0.json.serializedString() + "\n" }.joined())
            guard rows.count == 500, let last = rows.last else { break }
            after = last.id
            guard output.flush() else { break }
        }
        output.flush()
        return .streamed
    }
}
