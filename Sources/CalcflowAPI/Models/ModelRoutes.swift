import CalcflowCore
import JSON

/// `/models`: registering SageMaker-style model containers (admin) and starting and stopping them
/// (moderator), under `ModelPolicy`. `calcflow-models` makes the desired state so.
enum ModelRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/models", access: .anyUser, handler: list),
            Route("POST", "/api/v1/models", access: .signedIn(minimum: .admin), handler: create),
            Route("GET", "/api/v1/models/{id}", access: .anyUser, handler: show),
            Route("PATCH", "/api/v1/models/{id}", access: .signedIn(minimum: .admin), handler: update),
            Route("DELETE", "/api/v1/models/{id}", access: .signedIn(minimum: .admin), handler: delete),
            Route("POST", "/api/v1/models/{id}/start", access: .signedIn(minimum: .moderator), handler: start),
            Route("POST", "/api/v1/models/{id}/stop", access: .signedIn(minimum: .moderator), handler: stop),
        ]
    }

    static func model(_ context: RequestContext) throws -> (ModelStore, ModelRecord) {
        let store = try context.models()
        let id = try context.request.identifier()
        guard let model = try store.find(id: id) else { throw APIError(.notFound, "there is no model \(id)") }
        return (store, model)
    }

    static func render(_ model: ModelRecord, _ context: RequestContext) -> JSON {
        model.json(role: context.user.role, silentAfter: Int64(context.services.configuration.lostAfterSeconds))
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let items = try context.models().list(page)
        return .json(page.page(of: items, id: \.id) { render($0, context) })
    }

    @Sendable static func create(_ context: RequestContext) throws -> Response {
        var body = try context.request.inputObject()
        let input = try ModelInput(&body, creating: true)
        guard let created = try context.models().create(input, createdBy: context.user.id) else {
            throw APIError(.conflict, "a model named '\(input.name ?? "")' exists already", field: "name")
        }
        context.services.logger.info("model_created", metadata: ["model": "\(created.id)", "name": "\(created.name)", "image": "\(created.image)",
                                                                  "by": "\(context.user.id)"])
        return .json(render(created, context), status: 201)
    }

    @Sendable static func show(_ context: RequestContext) throws -> Response {
        .json(render(try model(context).1, context))
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var body = try context.request.inputObject()
        let input = try ModelInput(&body, creating: false)
        let (store, model) = try model(context)
        guard try store.update(id: model.id, input) else { throw APIError(.conflict, "another model has that name", field: "name") }
        guard let updated = try store.find(id: model.id) else { throw APIError(.notFound, "there is no model \(model.id)") }
        return .json(render(updated, context))
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        let (store, model) = try model(context)
        // The controller removes the container of a model that no longer exists.
        try store.delete(id: model.id)
        context.services.logger.info("model_deleted", metadata: ["model": "\(model.id)", "by": "\(context.user.id)"])
        return .noContent
    }

    static func setDesired(_ context: RequestContext, _ desired: DesiredModelState) throws -> Response {
        let (store, model) = try model(context)
        try store.setDesired(id: model.id, desired)
        context.services.logger.info("model_desired", metadata: ["model": "\(model.id)", "desired": "\(desired.rawValue)", "by": "\(context.user.id)"])
        guard let updated = try store.find(id: model.id) else { throw APIError(.notFound, "there is no model \(model.id)") }
        return .json(render(updated, context))
    }

    @Sendable static func start(_ context: RequestContext) throws -> Response { try setDesired(context, .running) }

    @Sendable static func stop(_ context: RequestContext) throws -> Response { try setDesired(context, .stopped) }
}
