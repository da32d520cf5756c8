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
        let throttle = LoginThrottle(connection: database, policy: configuration.signInThrottle)
        let attempt = try throttle.begin(email: email, address: address)
        if case .wait(let seconds) = attempt.decision { throw throttled(seconds: seconds) }
        let found = try context.users().findForLogin(email: email)
        // Unknown emails cost one verify too, so timing does not tell which emails exist.
        let verified = Argon2id.verify(password: password, encoded: found?.passwordHash ?? context.services.decoyPasswordHash)
        guard let (user, _) = found, verified else {
            context.services.logger.notice("login_failed", metadata: [
                "email": "\(email)", "address": "\(address)", "user_agent": "\(context.request.userAgent ?? "")",
            ])
            throw APIError(.unauthenticated, wrongCredentials)
        }
        if user.blocked { throw APIError(.forbidden, "your account is blocked; ask a moderator to unblock it") }
        try throttle.succeeded(attempt, email: email, address: address)
        let refreshToken = try SessionResponse.refreshTokens(context)
            .issue(userID: user.id, userAgent: context.request.userAgent ?? "", address: address)
        context.services.logger.info("login", metadata: ["user": "\(user.id)", "address": "\(address)"])
        return SessionResponse.make(user: user, refreshToken: refreshToken, services: context.services)
    }

    static func throttled(seconds: Int64) -> APIError {
        var error = APIError(.rateLimited, "too many failed sign-ins for this account from here; wait \(seconds) seconds and try again")
        error.headers = [("Retry-After", String(seconds))]
        return error
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
