import CalcflowTestSupport
import JSON
import XCTest

/// API.md's role matrix for users, through HTTP: every actor role against every target role.
final class UserRoleMatrixTests: StackTestCase {
    typealias Account = (id: Int64, email: String, token: String)

    func testListingUsersNeedsModerator() throws {
        XCTAssertEqual(try client.get("/api/v1/users", token: createUser(role: "user").token).status, 403)
        XCTAssertEqual(try client.get("/api/v1/users", token: createUser(role: "moderator").token).status, 200)
        let listed = try client.get("/api/v1/users", token: adminToken())
        XCTAssertEqual(listed.status, 200)
        XCTAssertGreaterThanOrEqual(listed.json["items"]?.arrayValue?.count ?? 0, 3)
    }

    func testCreatingUsersNeedsAdmin() throws {
        let body: JSON = ["email": "new-\(UUID().uuidString.prefix(6))@calcflow.test", "password": "a long enough password"]
        XCTAssertEqual(try client.post("/api/v1/users", body, token: createUser(role: "user").token).status, 403)
        XCTAssertEqual(try client.post("/api/v1/users", body, token: createUser(role: "moderator").token).status, 403)
        let created = try client.post("/api/v1/users", body, token: adminToken())
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json["role"], "user", "the default role")
        XCTAssertEqual(try client.post("/api/v1/users", body, token: adminToken()).status, 409, "emails are unique")
    }

    func testUsersSeeThemselvesOnly() throws {
        let user = try createUser(role: "user")
        let other = try createUser(role: "user")
        XCTAssertEqual(try client.get("/api/v1/users/\(user.id)", token: user.token).status, 200)
        XCTAssertEqual(try client.get("/api/v1/users/\(other.id)", token: user.token).status, 403)
        XCTAssertEqual(try client.get("/api/v1/users/\(other.id)", token: createUser(role: "moderator").token).status, 200)
        XCTAssertEqual(try client.get("/api/v1/users/999999", token: adminToken()).status, 404)
        XCTAssertEqual(try client.get("/api/v1/users/abc", token: adminToken()).status, 404)
    }

    /// (actor, target role, change, expected status).
    func testPatchMatrix() throws {
        let cases: [(actor: String, target: String, change: JSON, status: Int)] = [
            ("user", "user", ["blocked": true], 403),
            ("user", "user", ["password": "another long password"], 403),
            ("user", "user", ["role": "admin"], 403),
            ("user", "moderator", ["name": "renamed"], 403),
            ("moderator", "user", ["blocked": true], 200),
            ("moderator", "moderator", ["blocked": true], 200),
            ("moderator", "admin", ["blocked": true], 403),
            ("moderator", "user", ["password": "another long password"], 200),
            ("moderator", "admin", ["password": "another long password"], 403),
            ("moderator", "user", ["role": "moderator"], 403),
            ("admin", "user", ["role": "moderator"], 200),
            ("admin", "moderator", ["role": "admin"], 200),
            ("admin", "admin", ["blocked": true], 200),
            ("admin", "admin", ["password": "another long password"], 200),
            ("admin", "user", ["email_level": "NONE", "name": "Ada"], 200),
        ]
        for (actorRole, targetRole, change, expected) in cases {
            let actor = try actorRole == "admin" ? (id: 0, email: "", token: adminToken()) : createUser(role: actorRole)
            let target = try createUser(role: targetRole)
            let response = try client.patch("/api/v1/users/\(target.id)", change, token: actor.token)
            XCTAssertEqual(response.status, expected, "\(actorRole) → \(targetRole) \(change.serializedString()): \(response)")
            if expected == 403 { XCTAssertEqual(response.errorCode, "forbidden") }
        }
    }

    func testAChangedRoleAppliesToTheNextRequest() throws {
        let user = try createUser(role: "user")
        XCTAssertEqual(try client.get("/api/v1/users", token: user.token).status, 403)
        XCTAssertEqual(try client.patch("/api/v1/users/\(user.id)", ["role": "moderator"], token: adminToken()).status, 200)
        // A role change ends the sessions: the old token must not carry the old role.
        XCTAssertEqual(try client.get("/api/v1/users", token: user.token).status, 401)
        let fresh = try client.login(user.email, "a long enough password")
        XCTAssertEqual(try client.get("/api/v1/users", token: fresh.token).status, 200)
    }

    func testAnAdminCannotDeleteDemoteOrBlockItself() throws {
        let admin = try createUser(role: "admin")
        XCTAssertEqual(try client.delete("/api/v1/users/\(admin.id)", token: admin.token).status, 409)
        XCTAssertEqual(try client.patch("/api/v1/users/\(admin.id)", ["role": "user"], token: admin.token).status, 409)
        XCTAssertEqual(try client.patch("/api/v1/users/\(admin.id)", ["blocked": true], token: admin.token).status, 409)
        XCTAssertEqual(try client.get("/api/v1/me", token: admin.token).json["role"], "admin")
    }

    func testDeletingAndRevokingNeedAdmin() throws {
        for role in ["user", "moderator"] {
            let actor = try createUser(role: role)
            let target = try createUser(role: "user")
            XCTAssertEqual(try client.delete("/api/v1/users/\(target.id)", token: actor.token).status, 403)
            XCTAssertEqual(try client.post("/api/v1/users/\(target.id)/revoke-sessions", token: actor.token).status, 403)
        }
        let target = try createUser(role: "user")
        XCTAssertEqual(try client.delete("/api/v1/users/\(target.id)", token: adminToken()).status, 204)
        XCTAssertEqual(try client.delete("/api/v1/users/\(target.id)", token: adminToken()).status, 404)
    }

    func testADeletedUsersEmailCanBeUsedAgain() throws {
        let user = try createUser(role: "user")
        XCTAssertEqual(try client.delete("/api/v1/users/\(user.id)", token: adminToken()).status, 204)
        let again = try client.post("/api/v1/users", ["email": .string(user.email), "password": "a long enough password"], token: adminToken())
        XCTAssertEqual(again.status, 201, again.description)
        XCTAssertNotEqual(again.json["id"]?.integerValue, user.id)
    }

    func testListsArePaginatedWithACursor() throws {
        for _ in 0..<3 { _ = try createUser(role: "user") }
        var seen: [Int64] = []
        var cursor: String?
        repeat {
            let path = "/api/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try client.get(path, token: adminToken())
            XCTAssertEqual(page.status, 200)
            let items = page.json["items"]?.arrayValue ?? []
            XCTAssertLessThanOrEqual(items.count, 2)
            seen += items.compactMap { $0["id"]?.integerValue }
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil
        XCTAssertEqual(seen, seen.sorted())
        XCTAssertEqual(Set(seen).count, seen.count, "no user twice")
        XCTAssertGreaterThanOrEqual(seen.count, 4)
        XCTAssertEqual(try client.get("/api/v1/users?limit=501", token: adminToken()).status, 400)
        XCTAssertEqual(try client.get("/api/v1/users?cursor=bogus", token: adminToken()).status, 400)
    }
}
