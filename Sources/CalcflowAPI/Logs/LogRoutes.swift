import CalcflowCore
import Foundation
import JSON
import Synchronization

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
        let entries = try LogStore(connection: context.database()).entries(filter(context), afterID: page.afterID ?? 0, limit: page.limit + 1)
        return .json(page.page(of: entries, id: \.id, render: \.json))
    }

    /// One `data:` line of JSON per new entry, as it arrives; a comment line every 15 s keeps
    /// proxies from closing a quiet stream. It ends when the client goes or the API stops.
    @Sendable static func stream(_ context: RequestContext) throws -> Response {
        let filter = try filter(context)
        let limiter = context.services.streamLimiter
        guard limiter.enter() else {
            throw APIError(.unavailable, "too many live streams are open (\(limiter.capacity)); close another tab or try again later")
        }
        defer { limiter.leave() }
        let logs = LogStore(connection: try context.database())
        // Start from now, or from `since` when asked (then up to 500 older entries first).
        var lastID = filter.since == nil ? try logs.latestID() : 0
        let output = context.stream
        output.start(headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no")])
        output.write(": calcflow log stream\n\n")
        guard output.flush() else { return .streamed }
        var lastWrite = Date()
        let poll = context.services.configuration.streamPollMilliseconds
        while output.isConnected && !context.services.isStopping {
            let entries = try logs.entries(filter, afterID: lastID, limit: 500)
            for entry in entries {
                output.write("id: \(entry.id)\ndata: \(entry.json.serializedString())\n\n")
                lastID = entry.id
            }
            if !entries.isEmpty {
                guard output.flush() else { break }
                lastWrite = Date()
            } else if Date().timeIntervalSince(lastWrite) >= 15 {
                output.write(": keep-alive\n\n")
                guard output.flush() else { break }
                lastWrite = Date()
            }
            if entries.count < 500 { Thread.sleep(forTimeInterval: Double(poll) / 1_000) }
        }
        return .streamed
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        guard let before = try TimeParameter.parse(context.request.query["before"], field: "before") else {
            throw ValidationError(field: "before", message: "is required: logs older than this time are deleted")
        }
        let deleted = try LogStore(connection: context.database()).delete(before: before)
        context.services.logger.info("event=logs_deleted count=\(deleted) by=\(context.user.id)")
        return .json(["deleted": .integer(deleted)])
    }
}

/// At most `capacity` live streams at once: each holds a thread for its whole life.
public final class StreamLimiter: Sendable {
    public let capacity: Int
    private let open = Mutex(0)

    public init(capacity: Int) {
        self.capacity = capacity
    }

    func enter() -> Bool {
        open.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
    }

    func leave() {
        open.withLock { $0 -= 1 }
    }
}
