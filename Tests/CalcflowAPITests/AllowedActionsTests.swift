import CalcflowTestSupport
import JSON
import XCTest

/// `allowed_actions` is what the routes enforce: for each actor and state, every action listed
/// succeeds and every action left out is refused.
final class AllowedActionsTests: StackTestCase {
    func actions(_ json: JSON) -> Set<String> {
        Set((json["allowed_actions"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// Tries each state-changing action the list names or leaves out, on a fresh copy of the situation.
    func checkCalculationActions(_ make: () throws -> Int64, actor token: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let listed = actions(try client.get("/api/v1/calculations/\(try make())", token: token).json)
        for action in ["edit", "cancel", "rerun", "approve", "delete"] {
            let id = try make()
            let response: TestResponse
            switch action {
            case "edit": response = try client.patch("/api/v1/calculations/\(id)", ["description": "edited"], token: token)
            case "delete": response = try client.delete("/api/v1/calculations/\(id)", token: token)
            default: response = try client.post("/api/v1/calculations/\(id)/\(action)", token: token)
            }
            XCTAssertEqual((200..<300).contains(response.status), listed.contains(action),
                           "\(action): listed \(listed.sorted()), answered \(response)", file: file, line: line)
        }
    }

    func testACalculationsActionsAreWhatItsRoutesAllow() throws {
        let approval = try makeCluster(requiresApproval: true)
        let plain = try makeCluster()
        let owner = try createUser(role: "user")
        let stranger = try createUser(role: "user")
        let moderator = try createUser(role: "moderator")
        let pending = { try XCTUnwrap(try self.createCalculation(cluster: approval, token: owner.token)["id"]?.integerValue) }
        let running = { () throws -> Int64 in
            let id = try XCTUnwrap(try self.createCalculation(cluster: plain, token: owner.token)["id"]?.integerValue)
            // Reruns made by the checks wait ahead of it: claimed past.
            while let claimed = try self.client.post("/api/v1/agent/claim", token: plain.key).json["id"]?.integerValue, claimed != id {}
            return id
        }
        let finished = { () throws -> Int64 in
            let id = try running()
            XCTAssertEqual(try self.event(plain, calculation: id, seq: 1, state: "succeeded").status, 204)
            return id
        }

        XCTAssertEqual(actions(try client.get("/api/v1/calculations/\(try pending())", token: owner.token).json), ["edit", "cancel", "rerun", "delete"])
        XCTAssertEqual(actions(try client.get("/api/v1/calculations/\(try pending())", token: stranger.token).json), ["rerun"])
        XCTAssertEqual(actions(try client.get("/api/v1/calculations/\(try pending())", token: moderator.token).json),
                       ["edit", "cancel", "rerun", "approve", "delete"])
        XCTAssertEqual(actions(try client.get("/api/v1/calculations/\(try running())", token: owner.token).json), ["cancel", "rerun"])
        XCTAssertEqual(actions(try client.get("/api/v1/calculations/\(try finished())", token: owner.token).json), ["rerun", "delete"])

        try checkCalculationActions(pending, actor: owner.token)
        try checkCalculationActions(pending, actor: stranger.token)
        try checkCalculationActions(pending, actor: moderator.token)
        try checkCalculationActions(running, actor: owner.token)
        try checkCalculationActions(finished, actor: moderator.token)

        // Lists carry them too: the owner's calculations, seen by another user.
        let listed = (try client.get("/api/v1/calculations?cluster_id=\(approval.id)&limit=500", token: stranger.token).json["items"]?.arrayValue ?? [])
            .filter { $0["created_by"] == .integer(owner.id) && $0["state"] == "pending_approval" }
        XCTAssertFalse(listed.isEmpty)
        XCTAssertTrue(listed.allSatisfy { actions($0) == ["rerun"] }, "\(listed.map(actions))")
    }

    func testUsersClustersAndMoleculesCarryTheirActions() throws {
        let user = try createUser(role: "user")
        let moderator = try createUser(role: "moderator")
        let admin = try adminToken()
        XCTAssertEqual(actions(try client.get("/api/v1/me", token: user.token).json), ["edit", "set_password"])
        XCTAssertEqual(actions(try client.get("/api/v1/users/\(user.id)", token: moderator.token).json), ["edit", "set_password", "block"])
        XCTAssertEqual(actions(try client.get("/api/v1/users/\(user.id)", token: admin).json),
                       ["edit", "set_password", "block", "change_role", "delete", "revoke_sessions"])
        XCTAssertEqual(try client.patch("/api/v1/users/\(user.id)", ["blocked": true], token: moderator.token).status, 200)
        XCTAssertEqual(actions(try client.get("/api/v1/users/\(user.id)", token: moderator.token).json), ["edit", "set_password", "unblock"])

        let cluster = try makeCluster()
        XCTAssertEqual(actions(try client.get("/api/v1/clusters/\(cluster.id)", token: moderator.token).json), [])
        XCTAssertEqual(actions(try client.get("/api/v1/clusters/\(cluster.id)", token: admin).json), ["edit", "disable", "issue_key", "revoke_key", "delete"])

        let water: JSON = ["name": "water", "structure": ["format": "xyz", "text": "3\n\nO 0 0 0\nH 0 0.96 0\nH 0.93 -0.24 0\n"]]
        let created = try client.post("/api/v1/molecules", water, token: moderator.token)
        XCTAssertEqual(actions(created.json), ["edit", "delete"])
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        let other = try createUser(role: "user")
        XCTAssertEqual(actions(try client.get("/api/v1/molecules/\(id)", token: other.token).json), [])
        XCTAssertEqual(try client.patch("/api/v1/molecules/\(id)", ["notes": "mine now"], token: other.token).status, 403)
    }

    func testMetaGivesWhatFormsNeed() throws {
        let user = try createUser(role: "user")
        let meta = try client.get("/api/v1/meta", token: user.token)
        XCTAssertEqual(meta.status, 200, meta.description)
        XCTAssertEqual(meta.json["role"], "user")
        XCTAssertEqual(meta.json["limits"]?["priority"]?["max"], 0, "a user may only step back")
        let admin = try client.get("/api/v1/meta", token: adminToken()).json
        XCTAssertEqual(admin["limits"]?["priority"]?["max"], 100)
        XCTAssertEqual(meta.json["allowed_actions"], ["create_calculation", "create_molecule"])
        XCTAssertEqual(try client.get("/api/v1/meta", token: createUser(role: "moderator").token).json["allowed_actions"],
                       ["create_calculation", "create_molecule", "list_users"])
        XCTAssertEqual(admin["allowed_actions"]?.arrayValue?.count, 9, "every collection action names a route of the router")
        let states = meta.json["calculation_states"]?.arrayValue ?? []
        XCTAssertEqual(states.compactMap { $0["name"]?.stringValue },
                       ["pending_approval", "queued", "running", "succeeded", "failed", "not_converged", "cancelled"])
        XCTAssertEqual(states.first { $0["name"] == "not_converged" }?["finished"], true)
        XCTAssertEqual(states.filter { $0["failure"] == true }.compactMap { $0["name"]?.stringValue }, ["failed", "not_converged"])
        XCTAssertEqual((meta.json["model_states"]?.arrayValue ?? []).filter { $0["needs_attention"] == true }.compactMap { $0["name"]?.stringValue },
                       ["unhealthy", "failed", "unknown"])
        XCTAssertEqual(meta.json["email_levels"], ["INFO", "ERROR", "NONE"])
        let engines = (meta.json["engines"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        XCTAssertTrue(Set(["xtb", "qe", "siesta", "command"]).isSubset(of: engines), "\(engines)")
        XCTAssertEqual(try client.get("/api/v1/meta").status, 401)
    }
}
