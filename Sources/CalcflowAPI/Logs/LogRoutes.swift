import CalcflowCore
import Foundation
import JSON

/// `/logs`: filtered lists, a live Server-Sent Events stream (on the stream threads), and deletion (admin).
enum LogRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/logs", access: .anyUser, handler: list),
            Route("GET", "/api/v1/logs/stream", access: .anyUser, handler: stream),
            Route("DELETE", "/api/v1/logs", access: .signedIn(minimum: .admin), handler: delete),
        ]
    }

    static func filter(_ context: RequestContext) throws -> LogStore.Filter {
        let query = context.request.query
        var filter = LogStore.Filter()
        filter.clusterID = try CalculationRoutes.integerQuery(context, "cluster_id")
        filter.calculationID = try CalculationRoutes.integerQuery(context, "calculation_id")
        filter.modelID = try CalculationRoutes.integerQuery(context, "model_id")
        if let level = query["level"], !level.isEmpty {
            guard let parsed = LogStore.Level(rawValue: level.uppercased()) else {
                throw ValidationError(field: "level", message: "must be DEBUG, INFO, WARNING or ERROR")
            }
            filter.level = parsed
        }
        filter.since = try TimeParameter.parse(query["since"], field: "since")
        return filter
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let newestFirst: Bool
        switch context.request.query["order"] ?? "oldest" {
        case "oldest": newestFirst = false
        case "newest": newestFirst = true
        default: throw ValidationError(field: "order", message: "must be oldest or newest")
        }
        let entries = try LogStore(connection: context.database()).entries(filter(context), afterID: page.afterID,
                                                                            limit: page.limit + 1, newestFirst: newestFirst)
        return .json(page.page(of: entries, id: \.id, render: \.json))
    }

    /// One `data:` line of JSON per new entry, as it arrives; a comment line every 15 s keeps
    /// proxies from closing a quiet stream. Every poll checks its viewer again: when the access token
    /// expires, or the user is signed out everywhere, blocked or deleted, the stream sends an `end`
    /// event with the reason and closes (the dashboard refreshes its token and reconnects). It also
    /// ends when the client goes or the API stops.
    @Sendable static func stream(_ context: RequestContext) throws -> Response {
        let filter = try filter(context)
        let logs = LogStore(connection: try context.database())
        // Start from now, or from `since` when asked (then up to 500 older entries first).
        var lastID = filter.since == nil ? try logs.latestID() : 0
        return try EventStreamSession.run(context, greeting: "calcflow log stream") {
            let entries = try logs.entries(filter, afterID: lastID, limit: 500)
            if let last = entries.last { lastID = last.id }
            return EventStreamSession.Round(messages: entries.map { "id: \($0.id)\ndata: \($0.json.serializedString())\n\n" }, moreWaiting: entries.count == 500)
        }
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        guard let before = try TimeParameter.parse(context.request.query["before"], field: "before") else {
            throw ValidationError(field: "before", message: "is required: logs older than this time are deleted")
        }
        let deleted = try LogStore(connection: context.database()).delete(before: before)
        context.services.logger.info("logs_deleted", metadata: ["count": "\(deleted)", "by": "\(context.user.id)"])
        return .json(["deleted": .integer(deleted)])
    }
}
