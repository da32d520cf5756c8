import CalcflowCore

/// Who may call a route. The router checks it before the handler runs: one place per route.
public enum Access: Sendable, Equatable {
    /// No credentials (health, login, the OpenAPI document).
    case anonymous
    /// The refresh cookie, checked by the handler itself (refresh, logout).
    case refreshCookie
    /// A user's JWT access token, of at least this role.
    case signedIn(minimum: Role)
    /// A cluster agent's `ck_` key: the key decides the cluster.
    case agentKey
    /// `GET /metrics`: the configured scrape token, or an admin's JWT.
    case metricsReader
    /// A model controller's `mk_` key.
    case controllerKey
    /// Either a signed-in user or an agent (the seed's calculation list serves both).
    case anyUserOrAgent

    public static let anyUser = Access.signedIn(minimum: .user)
}
