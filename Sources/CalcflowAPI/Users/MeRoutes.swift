import CalcflowCore
import Crypto
import JSON

/// `/me`: the signed-in user's own account.
enum MeRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/me", access: .anyUser) { context in .json(UserRoutes.render(context.user, context)) },
            Route("PATCH", "/api/v1/me", access: .anyUser, handler: update),
        ]
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let password = try input.string("password", maxLength: PasswordRule.maximumLength)
        let currentPassword = try input.string("current_password", maxLength: PasswordRule.maximumLength)
        let name = try input.name("name", allowEmpty: true)
        let emailLevel = try input.choice("email_level", of: EmailLevel.self)
        try input.rejectUnknownFields()

        let users = try context.users()
        let user = context.user
        var newHash: String?
        if let password {
            try PasswordRule.check(password)
            try CurrentPassword.check(currentPassword, of: user, context)
            newHash = try context.services.passwordHasher.hash(password: password)
        } else if currentPassword != nil {
            throw ValidationError(field: "current_password", message: "is only needed with a new password")
        }
        let change = UserChange(name: name, emailLevel: emailLevel)
        if change.isEmpty && newHash == nil {
            throw ValidationError(field: nil, message: "nothing to change: send password, name or email_level")
        }
        try users.update(id: user.id, change, passwordHash: newHash)
        guard let updated = try users.find(id: user.id) else { throw APIError(.notFound, "your account no longer exists") }
        guard newHash != nil else { return .json(UserRoutes.render(updated, context)) }
        // A new password signs out every other session; this one continues with a fresh one.
        let store = try SessionResponse.refreshTokens(context)
        try store.revokeAll(userID: user.id)
        let refreshToken = try store.issue(userID: user.id, userAgent: context.request.userAgent ?? "", address: context.request.remoteAddress)
        return SessionResponse.make(user: updated, refreshToken: refreshToken, services: context.services)
    }
}
