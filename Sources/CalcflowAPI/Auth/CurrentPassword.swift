import CalcflowCore
import Crypto

/// A change of one's own password proves the current one, by every route (`PATCH /me`,
/// `PATCH /users/{own id}`); a wrong one counts toward the sign-in throttle like a failed sign-in,
/// so that a stolen access token cannot be used to guess the password.
enum CurrentPassword {
    static func check(_ currentPassword: String?, of user: UserRecord, _ context: RequestContext) throws {
        guard let currentPassword else {
            throw ValidationError(field: "current_password", message: "is required to set a new password for your own account")
        }
        let address = context.request.remoteAddress
        let throttle = LoginThrottle(connection: try context.database(), policy: context.services.configuration.signInThrottle)
        let attempt = try throttle.begin(email: user.email, address: address)
        if case .wait(let seconds) = attempt.decision { throw AuthRoutes.throttled(seconds: seconds) }
        guard let stored = try context.users().passwordHash(id: user.id), Argon2id.verify(password: currentPassword, encoded: stored) else {
            throw ValidationError(field: "current_password", message: "is not your current password")
        }
        try throttle.succeeded(attempt, email: user.email, address: address)
    }
}
