import Crypto
import CalcflowCore
import MariaDB

/// Turns the `Authorization` header into a signed-in user or an agent's cluster, or the error the
/// client must see. One per worker thread, with that thread's caches.
final class Authenticator {
    let services: APIServices
    private let users: ThreadCache<Int64, UserRecord>
    private let agentKeys: ThreadCache<String, AgentIdentity>
    private let controllerKeys: ThreadCache<String, ControllerIdentity>
    private var tokens = VerifiedTokens()

    init(services: APIServices) {
        self.services = services
        self.users = ThreadCache(shared: services.userGeneration)
        self.agentKeys = ThreadCache(shared: services.agentKeyGeneration)
        self.controllerKeys = ThreadCache(shared: services.agentKeyGeneration)
    }

    private func bearer(_ request: Request) throws(APIError) -> String {
        guard let header = request.authorization, header.hasPrefix("Bearer "), header.count > 7 else {
            throw APIError(.unauthenticated, "send 'Authorization: Bearer <token>': an access token, or an agent's ck_ key")
        }
        return String(header.dropFirst(7))
    }

    func signedInUser(_ request: Request, minimum: Role, connection: () throws(APIError) -> Connection) throws -> UserRecord {
        let token = try bearer(request)
        if token.hasPrefix("ck_") || token.hasPrefix("mk_") {
            throw APIError(.forbidden, "API keys work only on agent and controller routes; sign in as a user for this one")
        }
        let claims: AccessTokenClaims
        do {
            claims = try tokens.verify(token, now: Timestamp.nowSeconds(), signer: services.signer)
        } catch .expired {
            throw APIError(.unauthenticated, "your access token has expired; refresh it through /api/v1/auth/refresh")
        } catch {
            throw APIError(.unauthenticated, "the access token is not valid; sign in again")
        }
        let user = try users.value(for: claims.userID) {
            try UserStore(connection: connection(), cache: services.userGeneration).find(id: claims.userID)
        }
        guard let user, user.sessionEpoch == claims.sessionEpoch else {
            throw APIError(.unauthenticated, "your session has ended; sign in again")
        }
        if user.blocked { throw APIError(.forbidden, "your account is blocked; ask a moderator to unblock it") }
        if user.role < minimum {
            throw APIError(.forbidden, "this needs the \(minimum.rawValue) role; you are a \(user.role.rawValue)")
        }
        return user
    }

    /// The Prometheus scrape token of the config (`metrics_token`), compared in constant time.
    func isScrapeToken(_ request: Request) -> Bool {
        guard let expected = services.configuration.metricsToken, let header = request.authorization, header.hasPrefix("Bearer ") else { return false }
        return ConstantTime.equals(Array(header.dropFirst(7).utf8), Array(expected.utf8))
    }

    func controller(_ request: Request, connection: () throws(APIError) -> Connection) throws -> ControllerIdentity {
        let token = try bearer(request)
        guard token.hasPrefix("mk_") else {
            throw APIError(.forbidden, "controller routes take a model controller's mk_ key, not a user's token or an agent's key")
        }
        let hash = OpaqueToken.hash(token)
        let identity = try controllerKeys.value(for: hash) {
            try ControllerKeyStore(connection: connection(), keyGeneration: services.agentKeyGeneration).controller(keyHash: hash)
        }
        guard let identity else { throw APIError(.unauthenticated, "this controller key is unknown or revoked; ask an admin for a new one") }
        return identity
    }

    func agent(_ request: Request, connection: () throws(APIError) -> Connection) throws -> AgentIdentity {
        let token = try bearer(request)
        guard token.hasPrefix("ck_") else {
            throw APIError(.forbidden, "agent routes take a cluster's ck_ key, not a user's token")
        }
        let hash = OpaqueToken.hash(token)
        let identity = try agentKeys.value(for: hash) {
            try ClusterStore(connection: connection(), keyGeneration: services.agentKeyGeneration).agent(keyHash: hash)
        }
        guard let identity else { throw APIError(.unauthenticated, "this cluster key is unknown or revoked; ask an admin for a new one") }
        return identity
    }
}
