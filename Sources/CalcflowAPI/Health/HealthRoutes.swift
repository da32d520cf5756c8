import JSON

/// `/healthz` for load balancers, and the OpenAPI document.
enum HealthRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/healthz", access: .anonymous, handler: health),
            Route("GET", "/api/v1/openapi.json", access: .anonymous, handler: openAPI),
        ]
    }

    /// `{"status", "database"}`, and on a Galera node `"galera": {"ready", "cluster_size", "state",
    /// "cluster_status"}`: 503 when the node does not serve (not ready, or not in the primary component).
    @Sendable static func health(_ context: RequestContext) throws -> Response {
        do {
            let connection = try context.database()
            try connection.ping()
            guard let galera = try context.worker.galeraStatus(read: { try GaleraStatus.read(on: connection) }) else {
                return .json(["status": "ok", "database": "ok"])
            }
            let node: JSON = ["ready": .bool(galera.ready), "cluster_size": .integer(Int64(galera.clusterSize)),
                              "state": .string(galera.state), "cluster_status": .string(galera.clusterStatus)]
            guard galera.isServing else {
                return .json([
                    "status": "degraded", "database": "not_ready", "galera": node,
                    "error": ["code": "unavailable", "message": "this API host's Galera node is \(galera.state), \(galera.clusterStatus): it does not serve; check the cluster"],
                ], status: 503)
            }
            return .json(["status": "ok", "database": "ok", "galera": node])
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
