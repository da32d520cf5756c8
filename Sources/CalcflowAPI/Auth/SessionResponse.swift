import JSON
import MariaDB

/// A new session's answer: the access token in the body, the refresh token in its cookie.
enum SessionResponse {
    static func make(user: UserRecord, refreshToken: String, services: APIServices, status: Int = 200) -> Response {
        let token = services.signer.sign(userID: user.id, sessionEpoch: user.sessionEpoch, now: Timestamp.nowSeconds())
        var response = Response.json([
            "access_token": .string(token), "token_type": "Bearer",
            "expires_in": .integer(services.signer.lifetimeSeconds), "user": user.json,
        ], status: status)
        response.headers.append(RefreshCookie.setting(refreshToken, maxAge: services.configuration.refreshTokenLifetimeSeconds))
        return response
    }

    static func refreshTokens(_ context: RequestContext) throws(APIError) -> RefreshTokenStore {
        RefreshTokenStore(connection: try context.database(), lifetimeSeconds: context.services.configuration.refreshTokenLifetimeSeconds)
    }
}
