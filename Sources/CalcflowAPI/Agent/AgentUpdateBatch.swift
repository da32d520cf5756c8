import CalcflowCore
import JSON
import MariaDB

/// `POST /agent/updates` `{"updates": [{"method", "path", "body"}]}`: what an agent's spool holds,
/// sent in one request instead of one each. A campaign of small calculations reports three or four
/// events and a few analyses per calculation; each as a request of its own costs more in nginx,
/// FastCGI and the key check than the write itself.
///
/// Each update is answered by the route that answers it alone, with the batch's key, in order. The
/// answer lists a result per update applied: `{"results": [{"status": 204}, {"status": 409, "error": {...}}]}`.
/// A refusal (4xx) is final for that update and the next ones go on; a failure worth retrying (5xx)
/// ends the batch there, so the list is shorter than the batch and the agent sends the rest again,
/// in order.
enum AgentUpdateBatch {
    static let largestBatch = 1_000

    /// The routes an update may name: the agent's reports, never a claim or a heartbeat.
    static let router = Router(routes: AgentRoutes.reportRoutes)

    @Sendable static func handle(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        guard case .array(let updates)? = try input.json("updates", required: true) else {
            throw ValidationError(field: "updates", message: "must be a list of {method, path, body}")
        }
        try input.rejectUnknownFields()
        guard updates.count <= largestBatch else {
            throw ValidationError(field: "updates", message: "may hold at most \(largestBatch) updates; send the rest in another batch")
        }
        var results: [JSON] = []
        for (index, update) in updates.enumerated() {
            let response: Response
            do {
                response = try answer(update, index: index, context: context)
            } catch let error as DatabaseError where results.isEmpty {
                // Nothing applied yet: the whole batch fails as one request would, and the responder
                // reopens a lost connection.
                throw error
            } catch is DatabaseError {
                break
            }
            var result: [String: JSON] = ["status": .integer(Int64(response.status))]
            if response.status >= 400, let body = try? JSON.parse(response.body), let error = body["error"] { result["error"] = error }
            if response.status >= 500 {
                if results.isEmpty { return response }
                break
            }
            results.append(.object(result))
        }
        return .json(["results": .array(results)])
    }

    /// One update's answer, as its own route gives it: errors become their envelope here, so one
    /// refused update does not refuse the others.
    private static func answer(_ update: JSON, index: Int, context: RequestContext) throws -> Response {
        do {
            var fields = try InputObject(update, path: "updates[\(index)]")
            let method = try fields.string("method", required: true, maxLength: 8) ?? ""
            let path = try fields.string("path", required: true, maxLength: 300) ?? ""
            let body = try fields.json("body", required: true) ?? .null
            try fields.rejectUnknownFields()
            let fullPath = "/api/v1" + path
            guard case .found(let route, let parameters) = router.match(method: method, path: fullPath) else {
                throw ValidationError(field: "updates[\(index)].path", message: "names no agent report: \(method) \(path)")
            }
            var request = Request(method: method, path: fullPath, contentType: "application/json",
                                  userAgent: context.request.userAgent, remoteAddress: context.request.remoteAddress,
                                  requestID: "\(context.request.requestID)#\(index)", body: body.serialized())
            guard request.body.count <= route.bodyLimit else {
                throw APIError(.tooLarge, "updates[\(index)] is larger than \(route.bodyLimit / 1024) KiB")
            }
            request.pathParameters = parameters
            request.routePattern = route.pattern
            return try route.handler(context.forwarding(request))
        } catch let error as APIError {
            return error.response
        } catch let error as ValidationError {
            return APIError(error).response
        }
    }
}
