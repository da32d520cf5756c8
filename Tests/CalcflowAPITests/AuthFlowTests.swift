import Foundation
import CalcflowTestSupport
import JSON
import MariaDB
import Synchronization
import XCTest

final class AuthFlowTests: StackTestCase {
    func testLoginGivesAnAccessTokenAndAStrictRefreshCookie() throws {
        let response = try client.post("/api/v1/auth/login", ["email": .string(stack.adminEmail), "password": .string(stack.adminPassword)])
        XCTAssertEqual(response.status, 200, response.description)
        XCTAssertEqual(response.json["token_type"], "Bearer")
        XCTAssertEqual(response.json["expires_in"], 900)
        XCTAssertEqual(response.json["user"]?["email"]?.stringValue, stack.adminEmail)
        XCTAssertNil(response.json["user"]?["password_hash"])
        let cookie = try XCTUnwrap(response.setCookieHeader("calcflow_refresh"))
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
            XCTAssertTrue(cookie.contains("; \(attribute)"), "cookie lacks \(attribute): \(cookie)")
        }
        let token = try XCTUnwrap(response.json["access_token"]?.stringValue)
        let me = try client.get("/api/v1/me", token: token)
        XCTAssertEqual(me.status, 200)
        XCTAssertEqual(me.json["role"], "admin")
    }

    /// The session row keeps the browser's User-Agent cut to its column: even one made of letters
    /// with combining marks (two code points each) signs in.
    func testALongUnusualUserAgentStillSignsIn() throws {
        let body = (["email": .string(stack.adminEmail), "password": .string(stack.adminPassword)] as JSON).serialized()
        let response = try client.send("POST", "/api/v1/auth/login", body: body,
                                       headers: [("User-Agent", String(repeating: "e\u{301}", count: 250))])
        XCTAssertEqual(response.status, 200, response.description)
    }

    func testWrongPasswordAndUnknownEmailGetTheSameAnswer() throws {
        let wrongPassword = try client.post("/api/v1/auth/login", ["email": .string(stack.adminEmail), "password": "not the password"])
        let unknownEmail = try client.post("/api/v1/auth/login", ["email": "nobody@calcflow.test", "password": "not the password"])
        XCTAssertEqual(wrongPassword.status, 401)
        XCTAssertEqual(unknownEmail.status, 401)
        XCTAssertEqual(wrongPassword.json["error"], unknownEmail.json["error"])
        XCTAssertEqual(wrongPassword.errorCode, "unauthenticated")
    }

    func testEmailsAreMatchedWithoutRegardToCase() throws {
        XCTAssertNoThrow(try client.login(stack.adminEmail.uppercased(), stack.adminPassword))
    }

    func testRefreshRotatesTheToken() throws {
        let session = try client.login(stack.adminEmail, stack.adminPassword)
        let refreshed = try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(session.refresh)")
        XCTAssertEqual(refreshed.status, 200, refreshed.description)
        let rotated = try XCTUnwrap(refreshed.cookie("calcflow_refresh"))
        XCTAssertNotEqual(rotated, session.refresh)
        let token = try XCTUnwrap(refreshed.json["access_token"]?.stringValue)
        XCTAssertEqual(try client.get("/api/v1/me", token: token).status, 200)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(rotated)").status, 200)
    }

    func testReusedRefreshTokenRevokesTheFamily() throws {
        let session = try client.login(stack.adminEmail, stack.adminPassword)
        let first = try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(session.refresh)")
        let current = try XCTUnwrap(first.cookie("calcflow_refresh"))
        // The old token again: a thief or a replay. The whole family ends, the current token included.
        let replay = try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(session.refresh)")
        XCTAssertEqual(replay.status, 401)
        XCTAssertEqual(replay.cookie("calcflow_refresh"), "", "the cookie is cleared")
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(current)").status, 401)
        // Other sessions of the same user are other families and go on.
        let other = try client.login(stack.adminEmail, stack.adminPassword)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(other.refresh)").status, 200)
    }

    func testRefreshWithoutOrWithAForgedCookieIs401() throws {
        XCTAssertEqual(try client.post("/api/v1/auth/refresh").status, 401)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=forged").status, 401)
    }

    func testLogoutRevokesTheRefreshTokenAndClearsTheCookie() throws {
        let session = try client.login(stack.adminEmail, stack.adminPassword)
        let logout = try client.post("/api/v1/auth/logout", cookie: "calcflow_refresh=\(session.refresh)")
        XCTAssertEqual(logout.status, 204)
        let cleared = try XCTUnwrap(logout.setCookieHeader("calcflow_refresh"))
        XCTAssertTrue(cleared.hasPrefix("calcflow_refresh=;") && cleared.contains("Max-Age=0"), cleared)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(session.refresh)").status, 401)
    }

    func testRequestsWithoutOrWithBadTokensAre401() throws {
        XCTAssertEqual(try client.get("/api/v1/me").status, 401)
        XCTAssertEqual(try client.get("/api/v1/me", token: "not.a.token").status, 401)
        XCTAssertEqual(try client.send("GET", "/api/v1/me", headers: [("Authorization", "Basic YWRtaW46YWRtaW4=")]).status, 401)
    }

    func testAPIKeysAreRefusedOnUserRoutes() throws {
        let response = try client.get("/api/v1/me", token: "ck_0123456789abcdef")
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.errorCode, "forbidden")
    }

    func testBlockedUsersCannotSignInAndTheirSessionsEnd() throws {
        let user = try createUser(role: "user")
        let session = try client.login(user.email, "a long enough password")
        let blocked = try client.patch("/api/v1/users/\(user.id)", ["blocked": true], token: adminToken())
        XCTAssertEqual(blocked.status, 200, blocked.description)
        XCTAssertEqual(blocked.json["blocked"], true)
        let login = try client.post("/api/v1/auth/login", ["email": .string(user.email), "password": "a long enough password"])
        XCTAssertEqual(login.status, 403)
        XCTAssertEqual(try client.get("/api/v1/me", token: user.token).status, 401, "the access token is refused at once")
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(session.refresh)").status, 401)
    }

    func testDeletedUsersTokensAreRefused() throws {
        let user = try createUser(role: "moderator")
        XCTAssertEqual(try client.delete("/api/v1/users/\(user.id)", token: adminToken()).status, 204)
        XCTAssertEqual(try client.get("/api/v1/me", token: user.token).status, 401)
        XCTAssertEqual(try client.get("/api/v1/users/\(user.id)", token: adminToken()).status, 404)
    }

    func testRevokeSessionsEndsEveryRefreshToken() throws {
        let user = try createUser(role: "user")
        let first = try client.login(user.email, "a long enough password")
        let second = try client.login(user.email, "a long enough password")
        XCTAssertEqual(try client.post("/api/v1/users/\(user.id)/revoke-sessions", token: adminToken()).status, 204)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(first.refresh)").status, 401)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(second.refresh)").status, 401)
        XCTAssertEqual(try client.get("/api/v1/me", token: first.token).status, 401)
        XCTAssertNoThrow(try client.login(user.email, "a long enough password"), "signing in again works")
    }

    func testChangingYourPasswordNeedsTheCurrentOneAndEndsOtherSessions() throws {
        let user = try createUser(role: "user")
        let other = try client.login(user.email, "a long enough password")
        let wrong = try client.patch("/api/v1/me", ["password": "my brand new password", "current_password": "wrong one"], token: user.token)
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.json["error"]?["field"], "current_password")
        let missing = try client.patch("/api/v1/me", ["password": "my brand new password"], token: user.token)
        XCTAssertEqual(missing.status, 400)
        let changed = try client.patch("/api/v1/me", ["password": "my brand new password", "current_password": "a long enough password"], token: user.token)
        XCTAssertEqual(changed.status, 200, changed.description)
        let newToken = try XCTUnwrap(changed.json["access_token"]?.stringValue)
        XCTAssertEqual(try client.get("/api/v1/me", token: newToken).status, 200)
        XCTAssertEqual(try client.post("/api/v1/auth/refresh", cookie: "calcflow_refresh=\(other.refresh)").status, 401)
        XCTAssertNoThrow(try client.login(user.email, "my brand new password"))
        XCTAssertThrowsError(try client.login(user.email, "a long enough password"))
    }

    func testEmailLevelIsKept() throws {
        let user = try createUser(role: "user")
        let changed = try client.patch("/api/v1/me", ["email_level": "ERROR"], token: user.token)
        XCTAssertEqual(changed.json["email_level"], "ERROR")
        XCTAssertEqual(try client.get("/api/v1/me", token: user.token).json["email_level"], "ERROR")
        XCTAssertEqual(try client.patch("/api/v1/me", ["email_level": "LOUD"], token: user.token).status, 400)
    }

    func testHealthAnswersWithoutAuthentication() throws {
        let health = try client.get("/api/v1/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json, ["status": "ok", "database": "ok"])
    }

    func testTheOpenAPIDocumentIsServed() throws {
        let document = try client.get("/api/v1/openapi.json")
        XCTAssertEqual(document.status, 200)
        XCTAssertEqual(document.json["openapi"], "3.1.0")
        XCTAssertNotNil(document.json["paths"]?["/api/v1/auth/login"])
    }
}

/// Throttling gets a stack of its own: its failures would throttle the other tests' logins.
final class LoginThrottleTests: StackTestCase {
    func login(_ email: String, _ password: String) throws -> TestResponse {
        try client.post("/api/v1/auth/login", ["email": .string(email), "password": .string(password)])
    }

    func testOnePersonsTyposSlowOnlyThemNotAColleagueAtTheSameAddress() throws {
        let colleague = try createUser(role: "user")
        for attempt in 1...5 {
            XCTAssertEqual(try login(stack.adminEmail, "guess number \(attempt)").status, 401, "attempt \(attempt)")
        }
        let limited = try login(stack.adminEmail, stack.adminPassword)
        XCTAssertEqual(limited.status, 429, "even the right password waits a moment")
        XCTAssertEqual(limited.errorCode, "rate_limited")
        let wait = try XCTUnwrap(limited.header("Retry-After").flatMap { Int($0) })
        XCTAssertTrue((1...2).contains(wait), "a short, growing delay, not a lockout: \(wait)")
        XCTAssertEqual(try login(colleague.email, "a long enough password").status, 200, "a colleague behind the same address signs in")
        try Deadline.wait(for: "the admin's delay to pass", seconds: 10, interval: 0.5) {
            try login(stack.adminEmail, stack.adminPassword).status == 200
        }
    }

    func testConcurrentWrongPasswordsAllCount() throws {
        let email = "nobody-\(UUID().uuidString.prefix(8).lowercased())@calcflow.test"
        let statuses = Mutex<[Int]>([])
        let (baseURL, certificate) = (stack.baseURL, stack.certificate)
        // Thirty threads, each with its own connection, sent at once.
        let finished = DispatchGroup()
        for index in 0..<30 {
            finished.enter()
            Thread.detachNewThread {
                let status = (try? APIClient(baseURL: baseURL, certificate: certificate)
                    .post("/api/v1/auth/login", ["email": .string(email), "password": .string("guess \(index)")]).status) ?? 0
                statuses.withLock { $0.append(status) }
                finished.leave()
            }
        }
        finished.wait()
        let counted = try stack.database().queryFirst("SELECT COUNT(*) AS failures FROM login_failures WHERE email = ?", [.text(email)])
        XCTAssertEqual(counted?.int("failures"), 30, "every one of 30 concurrent wrong passwords is a failure")
        let verified = statuses.withLock { $0.filter { $0 == 401 }.count }
        XCTAssertLessThanOrEqual(verified, 5 + 1, "no more than the free tries got their password checked: \(statuses.withLock { $0 })")
        XCTAssertEqual(statuses.withLock { $0.filter { $0 == 429 }.count }, 30 - verified)
    }
}
