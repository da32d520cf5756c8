import JSON

/// `/healthz` for load balancers, and the OpenAPI document.
enum HealthRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/healthz", access: .anonymous, handler: health),
            Route("GET", "/api/v1/openapi.json", access: .anonymous, handler: openAPI),
        ]
    }

    @Sendable static func health(_ context: RequestContext) throws -> Response {
        do {
            try context.database().ping()
            return .json(["status": "ok", "database": "ok"])
        } catch {
            context.services.logger.warning("health_degraded", metadata: ["error": "\(error)"])
            return .json([
                "status": "degraded", "database": "unreachable",
                "error": ["code": "unavailable", "message": "the database is unreachable; check MariaDB"],
            ], status: 503)
        }
    }

    @Sendable static func openAPI(_ context: RequestContext) throws -> Response {
        guard let document = context.services.openAPIDocument else {
            throw APIError(.notFound, "the OpenAPI document is not installed; set openapi_file in the config")
        }
        return Response(status: 200, headers: [("Content-Type", "application/json; charset=utf-8")], body: document)
    }
}
