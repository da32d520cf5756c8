import CalcflowCore
import JSON

/// `GET /meta`: what the dashboard's forms and filters need to know, from the same definitions the
/// API checks against, so that no page keeps its own list of states, roles or limits.
enum MetaRoutes {
    static var routes: [Route] {
        [Route("GET", "/api/v1/meta", access: .anyUser, handler: meta)]
    }

    /// Actions on collections rather than on one resource, each the route that performs it: what the
    /// signed-in role may do is read from that route's access, the check the router makes.
    static let collectionActions: [(name: String, method: String, pattern: String)] = [
        ("create_calculation", "POST", "/api/v1/calculations"),
        ("create_molecule", "POST", "/api/v1/molecules"),
        ("list_users", "GET", "/api/v1/users"),
        ("create_user", "POST", "/api/v1/users"),
        ("create_cluster", "POST", "/api/v1/clusters"),
        ("register_model", "POST", "/api/v1/models"),
        ("issue_controller_key", "POST", "/api/v1/controller/keys"),
        ("delete_logs", "DELETE", "/api/v1/logs"),
        ("read_metrics", "GET", "/api/v1/metrics"),
    ]

    static func allowedCollectionActions(role: Role) -> [String] {
        let routes = APIRoutes.all
        return collectionActions.filter { action in
            guard let route = routes.first(where: { $0.method == action.method && $0.pattern == action.pattern }) else { return false }
            switch route.access {
            case .signedIn(let minimum): return role >= minimum
            case .metricsReader: return role == .admin
            case .anyUserOrAgent: return true
            case .anonymous, .refreshCookie, .agentKey, .controllerKey: return false
            }
        }.map(\.name)
    }

    @Sendable static func meta(_ context: RequestContext) throws -> Response {
        let role = context.user.role
        let priorities = CalculationPolicy.priorityRange(for: role)
        let clusters = try context.clusters()
        let catalog = try clusters.catalog()
        let versions = try clusters.engineVersions()
        let engineNames = Set(EngineConfiguration.describedEngines).union(catalog.engines.keys).sorted()
        let engines: [JSON] = engineNames.map { engine in
            [
                "name": .string(engine), "described": .bool(EngineConfiguration.describedEngines.contains(engine)),
                "clusters": .array(versions[engine] ?? []),
                "analyses": .array((catalog.engines[engine]?.values.sorted { $0.name < $1.name } ?? []).map { analysis in
                    ["name": .string(analysis.name), "requires": .array(analysis.requires.map(JSON.string)), "description": .string(analysis.description)]
                }),
            ]
        }
        let configuration = context.services.configuration
        return .json([
            "role": .string(role.rawValue),
            "allowed_actions": .array(allowedCollectionActions(role: role).map(JSON.string)),
            "calculation_states": .array(CalculationState.allCases.map {
                ["name": .string($0.rawValue), "finished": .bool($0.isFinished), "failure": .bool($0.isFailure)]
            }),
            "calculation_actions": .array(CalculationPolicy.Action.allCases.map { .string($0.rawValue) }),
            "model_states": .array(ModelState.allCases.map { ["name": .string($0.rawValue), "needs_attention": .bool($0.needsAttention)] }),
            "roles": .array(Role.allCases.map { .string($0.rawValue) }),
            "email_levels": .array(EmailLevel.allCases.map { .string($0.rawValue) }),
            "engines": .array(engines),
            "xtb": ["tasks": .array(EngineConfiguration.xtbTasks.map(JSON.string)), "methods": .array(EngineConfiguration.xtbMethods.map(JSON.string))],
            "limits": [
                "priority": ["min": .integer(priorities.lowerBound), "max": .integer(priorities.upperBound), "default": 0],
                "name_length": 200, "body_bytes": .integer(Int64(Route.defaultBodyLimit)),
                "invocation_body_bytes": .integer(Int64(configuration.invocationBodyLimit)),
                "page_size": ["default": .integer(Int64(PageRequest.defaultLimit)), "max": .integer(Int64(PageRequest.maximumLimit))],
                "password_length": ["min": .integer(Int64(PasswordRule.minimumLength)), "max": .integer(Int64(PasswordRule.maximumLength))],
            ],
        ])
    }
}
