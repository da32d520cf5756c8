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
        ]
    }

    @Sendable static func invokeByID(_ context: RequestContext) throws -> Response {
        try invoke(ModelRoutes.model(context).1, context)
    }

    @Sendable static func invokeByName(_ context: RequestContext) throws -> Response {
        let name = context.request.pathParameters["name"] ?? ""
        guard let model = try context.models().find(name: name) else { throw APIError(.notFound, "there is no model named '\(name)'") }
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
        let items = try InvocationStore(connection: context.database()).list(modelID: model.id, afterID: page.afterID ?? Int64.max, limit: page.limit + 1)
        return .json(page.page(of: items, id: \.id, render: \.json))
    }
}
