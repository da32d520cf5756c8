import Foundation

/// `GET /api/v1/metrics`: for an admin, or a scraper with the configured token.
enum MetricsRoutes {
    static var routes: [Route] {
        [Route("GET", "/api/v1/metrics", access: .metricsReader, handler: metrics)]
    }

    @Sendable static func metrics(_ context: RequestContext) throws -> Response {
        let body = try context.services.metrics.scrape(on: context.database(), models: context.models(), silentAfter: Int64(context.services.configuration.lostAfterSeconds))
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("Cache-Control", "no-store")], body: body)
    }
}
