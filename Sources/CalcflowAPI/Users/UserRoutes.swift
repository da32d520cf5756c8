import CalcflowCore
import JSON

/// `/users`: accounts, under the role matrix of API.md (`UserPolicy`).
enum UserRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/users", access: .signedIn(minimum: .moderator), handler: list),
            Route("POST", "/api/v1/users", access: .signedIn(minimum: .admin), handler: create),
            Route("GET", "/api/v1/users/{id}", access: .anyUser, handler: show),
            Route("PATCH", "/api/v1/users/{id}", access: .anyUser, handler: update),
            Route("DELETE", "/api/v1/users/{id}", access: .signedIn(minimum: .admin), handler: delete),
            Route("POST", "/api/v1/users/{id}/revoke-sessions", access: .signedIn(minimum: .admin), handler: revokeSessions),
        ]
    }

    static func enforce(_ verdict: UserPolicy.Verdict) throws(APIError) {
        try PolicyEnforcement.enforce(verdict)
    }

    static func render(_ user: UserRecord, _ context: RequestContext) -> JSON {
        user.json.setting("allowed_actions", to: .array(UserPolicy.allowedActions(actor: context.user.party, target: user.party, targetBlocked: user.blocked)
            .map { .string($0.rawValue) }))
    }

    static func target(_ context: RequestContext) throws -> (UserStore, UserRecord) {
        let users = try context.users()
        let id = try context.request.identifier()
        guard let target = try users.find(id: id) else { throw APIError(.notFound, "there is no user \(id)") }
        return (users, target)
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let users = try context.users().list(page)
        return .json(page.page(of: users, id: \.id) { render($0, context) })
    }

    @Sendable static func create(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let email = try EmailAddress.normalized(try input.string("email", required: true, maxLength: 254) ?? "")
        let name = try input.name("name", allowEmpty: true) ?? ""
        let role = try input.choice("role", of: Role.self) ?? .user
        let password = try input.string("password", required: true, maxLength: PasswordRule.maximumLength) ?? ""
        try input.rejectUnknownFields()
        try PasswordRule.check(password)

        let hash = try context.services.passwordHasher.hash(password: password)
        guard let user = try context.users().create(email: email, name: name, role: role, passwordHash: hash) else {
            throw APIError(.conflict, "a user with the email \(email) already exists", field: "email")
        }
        context.services.logger.info("user_created", metadata: ["user": "\(user.id)", "role": "\(role.rawValue)", "by": "\(context.user.id)"])
        return .json(render(user, context), status: 201)
    }

    @Sendable static func show(_ context: RequestContext) throws -> Response {
        let (_, target) = try target(context)
        try enforce(UserPolicy.canView(actor: context.user.party, target: target.party))
        return .json(render(target, context))
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let change = UserChange(
            password: try input.string("password", maxLength: PasswordRule.maximumLength),
            blocked: try input.bool("blocked"),
            role: try input.choice("role", of: Role.self),
            name: try input.name("name", allowEmpty: true),
            emailLevel: try input.choice("email_level", of: EmailLevel.self))
        let currentPassword = try input.string("current_password", maxLength: PasswordRule.maximumLength)
        try input.rejectUnknownFields()
        if change.isEmpty { throw ValidationError(field: nil, message: "nothing to change: send password, blocked, role, name or email_level") }
        if let password = change.password { try PasswordRule.check(password) }

        let (users, target) = try target(context)
        try enforce(UserPolicy.canView(actor: context.user.party, target: target.party))
        try enforce(UserPolicy.canApply(change, actor: context.user.party, target: target.party))
        if change.password != nil && target.id == context.user.id {
            try CurrentPassword.check(currentPassword, of: context.user, context)
        } else if currentPassword != nil {
            throw ValidationError(field: "current_password", message: "is only needed with a new password for your own account")
        }
        let hash = try change.password.map { password throws in try context.services.passwordHasher.hash(password: password) }
        try users.update(id: target.id, change, passwordHash: hash)
        if hash != nil || change.blocked == true {
            try SessionResponse.refreshTokens(context).revokeAll(userID: target.id)
        }
        context.services.logger.info("user_updated", metadata: ["user": "\(target.id)", "by": "\(context.user.id)"])
        guard let updated = try users.find(id: target.id) else { throw APIError(.notFound, "there is no user \(target.id)") }
        return .json(render(updated, context))
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        let (users, target) = try target(context)
        try enforce(UserPolicy.canDelete(actor: context.user.party, target: target.party))
        try users.delete(id: target.id)
        try SessionResponse.refreshTokens(context).revokeAll(userID: target.id)
        context.services.logger.info("user_deleted", metadata: ["user": "\(target.id)", "by": "\(context.user.id)"])
        return .noContent
    }

    @Sendable static func revokeSessions(_ context: RequestContext) throws -> Response {
        let (users, target) = try target(context)
        try enforce(UserPolicy.canRevokeSessions(actor: context.user.party))
        try SessionResponse.refreshTokens(context).revokeAll(userID: target.id)
        try users.endSessions(userID: target.id)
        context.services.logger.info("sessions_revoked", metadata: ["user": "\(target.id)", "by": "\(context.user.id)"])
        return .noContent
    }
}
