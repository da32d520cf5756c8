import CalcflowCore
import MariaDB

/// Turns the `Authorization` header into a signed-in user, or the error the client must see.
struct Authenticator {
    let services: APIServices
    let cache: ThreadUserCache

    func signedInUser(_ request: Request, minimum: Role, connection: () throws(APIError) -> Connection) throws -> UserRecord {
        guard let header = request.authorization, header.hasPrefix("Bearer "), header.count > 7 else {
            throw APIError(.unauthenticated, "sign in first: send 'Authorization: Bearer <access token>'")
        }
        let token = String(header.dropFirst(7))
        if token.hasPrefix("ck_") || token.hasPrefix("mk_") {
            throw APIError(.forbidden, "API keys work only on agent and controller routes; sign in as a user for this one")
        }
        let claims: AccessTokenClaims
        do {
            claims = try services.signer.verify(token, now: Timestamp.nowSeconds())
        } catch .expired {
            throw APIError(.unauthenticated, "your access token has expired; refresh it through /api/v1/auth/refresh")
        } catch {
            throw APIError(.unauthenticated, "the access token is not valid; sign in again")
        }
        var user = cache.user(id: claims.userID)
        if user == nil {
            let generation = services.userCache.currentGeneration
            user = try UserStore(connection: connection(), cache: services.userCache).find(id: claims.userID)
            if let user { cache.store(user, generation: generation) }
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
}
