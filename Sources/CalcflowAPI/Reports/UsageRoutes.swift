import CalcflowCore
import Foundation
import JSON

/// `GET /usage?since=`: what the clusters spent, per user and per cluster: finished calculations, the
/// wall time from their start to their end, and the CPU time their steps' commands used as the agent
/// recorded it in each step's provenance, for the Analyses page's summary.
enum UsageRoutes {
    static var routes: [Route] {
        [Route("GET", "/api/v1/usage", access: .anyUser, handler: usage)]
    }

    @Sendable static func usage(_ context: RequestContext) throws -> Response {
        let since = try TimeParameter.parse(context.request.query["since"], field: "since") ?? Date(timeIntervalSince1970: 0)
        let database = try context.database()
        func grouped(_ key: String, _ join: String, _ name: String) throws -> [JSON] {
            try database.query(
                """
                SELECT \(name) AS name, COUNT(*) AS finished, SUM(c.state = 'succeeded') AS succeeded,
                       SUM(TIMESTAMPDIFF(MICROSECOND, c.started_at, c.finished_at)) / 3600e6 AS wall_hours,
                       SUM(p.cpu_seconds) / 3600 AS cpu_hours
                FROM calculations c \(join)
                LEFT JOIN (SELECT calculation_id, SUM(CAST(JSON_VALUE(data, '$.cpu_seconds') AS DOUBLE)) AS cpu_seconds
                           FROM calculation_analyses WHERE name = 'provenance' GROUP BY calculation_id) p ON p.calculation_id = c.id
                WHERE c.started_at IS NOT NULL AND c.finished_at IS NOT NULL AND c.finished_at >= FROM_UNIXTIME(?)
                GROUP BY \(key) ORDER BY wall_hours DESC LIMIT 500
                """, [.double(since.timeIntervalSince1970)]
            ).map { row in
                ["name": JSON(row.string("name")), "finished": JSON(row.int("finished")), "succeeded": JSON(row.int("succeeded")),
                 "wall_hours": .number(row.double("wall_hours") ?? 0), "cpu_hours": .number(row.double("cpu_hours") ?? 0)]
            }
        }
        return .json([
            "since": .string(Timestamp.rfc3339(since)),
            "by_user": .array(try grouped("c.created_by, u.email", "LEFT JOIN users u ON u.id = c.created_by", "u.email")),
            "by_cluster": .array(try grouped("c.cluster_id, k.name", "JOIN clusters k ON k.id = c.cluster_id", "k.name")),
        ])
    }
}
