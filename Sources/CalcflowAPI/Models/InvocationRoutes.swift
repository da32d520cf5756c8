import CalcflowCore
import Crypto
import Foundation
import HTTPClient
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
        let limit = context.services.configuration.invocationBodyLimit
        guard request.body.count <= limit else {
            throw APIError(.tooLarge, "an invocation's body is \(limit / 1_048_576) MiB at most (invocation_body_limit)")
        }
        let shown = model.shownState(silentAfter: Int64(context.services.configuration.lostAfterSeconds))
        guard model.desiredState == .running, shown == .healthy, let endpoint = model.endpoint else {
            var error = APIError(.unavailable, "model '\(model.name)' is \(model.desiredState == .stopped ? "stopped" : shown.rawValue), not healthy; "
                                 + (model.desiredState == .stopped ? "a moderator can start it" : "try again once it is healthy"))
            error.headers = [("Retry-After", "5")]
            throw error
        }
        var headers: [(name: String, value: String)] = [("Content-Type", request.contentType ?? "application/json")]
        if let accept = request.accept { headers.append(("Accept", accept)) }
        if let attributes = request.customAttributes { headers.append(("X-Amzn-SageMaker-Custom-Attributes", attributes)) }
        let started = DispatchTime.now().uptimeNanoseconds
        var record = InvocationStore.Record(
            modelID: model.id, userID: context.user.id, image: model.image, imageDigest: model.imageDigest,
            inputSHA256: Hex.encode(SHA256.hash(request.body)), inputBytes: request.body.count, status: 0, latencyMilliseconds: 0)
        let outcome: Result<HTTPResponse, HTTPClientError>
        do {
            outcome = .success(try context.worker.modelClient.execute(HTTPRequest(
                method: "POST", url: endpoint + "/invocations", headers: headers, body: request.body,
                timeoutSeconds: Int(model.invocationTimeoutSeconds))))
        } catch {
            outcome = .failure(error)
        }
        record.latencyMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        let response: Response
        switch outcome {
        case .success(let answer):
            record.status = answer.status
            record.contentType = answer.header("Content-Type")
            record.response = answer.body
            var passed: [(name: String, value: String)] = [("Content-Type", answer.header("Content-Type") ?? "application/octet-stream")]
            if let attributes = answer.header("X-Amzn-SageMaker-Custom-Attributes") { passed.append(("X-Amzn-SageMaker-Custom-Attributes", attributes)) }
            response = Response(status: answer.status, headers: passed, body: answer.body)
        case .failure(let error):
            // curl's 28 is its timeout.
            let timedOut = error.curlCode == 28
            let failure = timedOut
                ? APIError(.timeout, "model '\(model.name)' did not answer within its \(model.invocationTimeoutSeconds) s (invocation_timeout_seconds)")
                : APIError(.badGateway, "model '\(model.name)' failed during the request: \(error.message)")
            record.status = failure.code.status
            record.error = failure.message
            response = failure.response
        }
        try InvocationStore(connection: context.database()).record(record)
        return response
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let (_, model) = try ModelRoutes.model(context)
        let items = try InvocationStore(connection: context.database()).list(modelID: model.id, afterID: page.afterID ?? Int64.max, limit: page.limit + 1)
        return .json(page.page(of: items, id: \.id, render: \.json))
    }
}
