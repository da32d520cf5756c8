/// The whole routing table. The OpenAPI document is checked against it by a test.
public enum APIRoutes {
    public static var all: [Route] {
        HealthRoutes.routes + AuthRoutes.routes + MeRoutes.routes + UserRoutes.routes + ClusterRoutes.routes + AgentRoutes.routes
            + CalculationRoutes.routes + MoleculeRoutes.routes + LogRoutes.routes + ReportRoutes.routes + ModelRoutes.routes + InvocationRoutes.routes + PredictionRoutes.routes + MetricsRoutes.routes
            + ControllerRoutes.routes + MetaRoutes.routes + UsageRoutes.routes
    }

    public static var router: Router { Router(routes: all) }
}
