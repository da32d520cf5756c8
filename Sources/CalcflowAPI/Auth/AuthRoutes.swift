import CalcflowCore
import Crypto
import JSON

/// `/auth/login`, `/auth/refresh`, `/auth/logout`.
enum AuthRoutes {
    static var routes: [Route] {
        [
            Route("POST", "/api/v1/auth/login", access: .anonymous, handler: login),
            Route("POST", "/api/v1/auth/refresh", access: .refreshCookie, handler: refresh),
            Route("POST", "/api/v1/auth/logout", access: .refreshCookie, handler: logout),
        ]
    }

    static let wrongCredentials = "wrong email or password"

    @Sendable static func login(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let email = String(try input.string("email", required: true, maxLength: 254) ?? "").lowercased()
            .trimmingCharacters(in: .whitespaces)
        let password = try input.string("password", required: true, maxLength: PasswordRule.maximumLength) ?? ""
        try input.rejectUnknownFields()

        let database = try context.database()
        let configuration = context.services.configuration
        let address = context.request.remoteAddress
        let throttle = LoginThrottle(connection: database, limit: configuration.loginFailureLimit,
                                     windowSeconds: configuration.loginFailureWindowSeconds)
        if try throttle.isThrottled(email: email, address: address) {
            var error = APIError(.rateLimited, "too many failed sign-ins; wait \(configuration.loginFailureWindowSeconds / 60) minutes and try again")
            error.headers = [("Retry-After", String(configuration.loginFailureWindowSeconds))]
            throw error
        }
        let found = try context.users().findForLogin(email: email)
        // Unknown emails cost one verify too, so timing does not tell which emails exist.
        let verified = Argon2id.verify(password: password, encoded: found?.passwordHash ?? context.services.decoyPasswordHash)
        guard let (user, _) = found, verified else {
            try throttle.recordFailure(email: email, address: address)
            context.services.logger.notice("event=login_failed email=\(email) address=\(address)")
            throw APIError(.unauthenticated, wrongCredentials)
        }
        if user.blocked { throw APIError(.forbidden, "your account is blocked; ask a moderator to unblock it") }
        try throttle.clear(email: email)
        let refreshToken = try SessionResponse.refreshTokens(context)
            .issue(userID: user.id, userAgent: context.request.userAgent ?? "", address: address)
        context.services.logger.info("event=login user=\(user.id) address=\(address)")
        return SessionResponse.make(user: user, refreshToken: refreshToken, services: context.services)
    }

    @Sendable static func refresh(_ context: RequestContext) throws -> Response {
        guard let token = context.request.cookie(RefreshCookie.name), !token.isEmpty else {
            throw APIError(.unauthenticated, "no session cookie; sign in")
        }
        let store = try SessionResponse.refreshTokens(context)
        switch try store.rotate(token, userAgent: context.request.userAgent ?? "", address: context.request.remoteAddress) {
        case .refused(let reason):
            var error = APIError(.unauthenticated, reason)
            error.headers = [RefreshCookie.clearing]
            throw error
        case .rotated(let userID, let newToken):
            guard let user = try context.users().find(id: userID), !user.blocked else {
                try store.revoke(newToken)
                var error = APIError(.unauthenticated, "this account can no longer sign in")
                error.headers = [RefreshCookie.clearing]
                throw error
            }
            return SessionResponse.make(user: user, refreshToken: newToken, services: context.services)
        }
    }

    @Sendable static func logout(_ context: RequestContext) throws -> Response {
        if let token = context.request.cookie(RefreshCookie.name), !token.isEmpty {
            try SessionResponse.refreshTokens(context).revoke(token)
        }
        var response = Response.noContent
        response.headers.append(RefreshCookie.clearing)
        return response
    }
}
