import CalcflowTestSupport
import JSON
import XCTest

final class CalculationFlowTests: StackTestCase {
    func testAnalysesMustBeClosedUnderRequires() throws {
        let cluster = try makeCluster()
        let response = try client.post("/api/v1/calculations", calculationBody(cluster: cluster, analyses: ["bands"]), token: adminToken())
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.errorCode, "invalid")
        XCTAssertTrue(response.json["error"]?["message"]?.stringValue?.contains("'scf'") == true, response.description)
    }

    func testUnknownEnginesAnalysesAndBadStepsAreRefused() throws {
        let cluster = try makeCluster()
        let token = try adminToken()
        var body = calculationBody(cluster: cluster).objectValue ?? [:]
        body["engine"] = "gaussian"
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "engine")
        body = calculationBody(cluster: cluster, analyses: ["scf", "phonons"]).objectValue ?? [:]
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "analyses[1]")
        body = calculationBody(cluster: cluster).objectValue ?? [:]
        body["steps"] = [["name": "bands", "copy_from": "scf", "copy": ["si.save"]], ["name": "scf"]]
        let steps = try client.post("/api/v1/calculations", .object(body), token: token)
        XCTAssertEqual(steps.json["error"]?["field"], "steps[0].copy_from", steps.description)
        body["steps"] = [["name": "scf"], ["name": "bands", "copy_from": "scf", "copy": ["../../etc/passwd"]]]
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "steps[1].copy")
        body["steps"] = [["name": "scf"], ["name": "bands", "copy_from": "scf", "copy": ["si.save"], "parameters": ["voltage": 0.5]]]
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).status, 201)
        body["configuration"] = ["input": "not a pw.x input"]
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "configuration.input")
        body["cluster_id"] = 999_999
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "cluster_id")
    }

    func testAUsersCalculationWaitsForApprovalOnAnApprovalCluster() throws {
        let cluster = try makeCluster(requiresApproval: true)
        let user = try createUser(role: "user")
        let created = try createCalculation(cluster: cluster, token: user.token)
        let id = try XCTUnwrap(created["id"]?.integerValue)
        XCTAssertEqual(created["state"], "pending_approval")
        XCTAssertEqual(created["approved"], false)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 204, "not claimable before approval")
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/approve", token: user.token).status, 403)
        let approved = try client.post("/api/v1/calculations/\(id)/approve", token: createUser(role: "moderator").token)
        XCTAssertEqual(approved.json["state"], "queued")
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/approve", token: adminToken()).status, 409)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        let moderatorsOwn = try createCalculation(cluster: cluster, token: createUser(role: "moderator").token)
        XCTAssertEqual(moderatorsOwn["state"], "queued", "moderators need no approval")
    }

    func testClaimsComeByPriorityThenAgeAndTheSeedQueryListsThem() throws {
        let cluster = try makeCluster()
        let low = try createCalculation(cluster: cluster, name: "low", priority: -5)["id"]?.integerValue
        let first = try createCalculation(cluster: cluster, name: "first", priority: 10)["id"]?.integerValue
        let second = try createCalculation(cluster: cluster, name: "second", priority: 10)["id"]?.integerValue
        let listed = try client.get("/api/v1/calculations?processed=false&cluster=\(cluster.name)", token: cluster.key)
        XCTAssertEqual(listed.status, 200, listed.description)
        XCTAssertEqual(listed.json["items"]?.arrayValue?.compactMap { $0["id"]?.integerValue }, [first, second, low].compactMap { $0 })
        XCTAssertEqual(try client.get("/api/v1/calculations?processed=false&cluster=other", token: cluster.key).status, 403)
        var claimed: [Int64] = []
        while true {
            let claim = try client.post("/api/v1/agent/claim", token: cluster.key)
            if claim.status == 204 { break }
            XCTAssertEqual(claim.json["state"], "running")
            XCTAssertEqual(claim.json["processed"], true)
            claimed.append(try XCTUnwrap(claim.json["id"]?.integerValue))
        }
        XCTAssertEqual(claimed, [first, second, low].compactMap { $0 })
    }

    func testTheThrottleHoldsClaimsWhileMaxRunningRun() throws {
        let cluster = try makeCluster(maxRunning: 1)
        _ = try createCalculation(cluster: cluster)
        _ = try createCalculation(cluster: cluster)
        let first = try client.post("/api/v1/agent/claim", token: cluster.key)
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 204, "one already runs")
        let id = try XCTUnwrap(first.json["id"]?.integerValue)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200, "room again")
    }

    func testEventsAreIdempotentBySeqAndResultsAreStored() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster)
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/calculations/\(id)/events",
                                       ["seq": 1, "step": "main", "level": "INFO", "message": "SCF started", "progress": ["done": 0, "total": 1]],
                                       token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, message: "a replay").status, 204, "a replay is accepted")
        let analysis = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                       body: (["step": "main", "data": ["value": -212.6, "unit": "eV"]] as JSON).serialized(), token: cluster.key)
        XCTAssertEqual(analysis.status, 204)
        _ = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                            body: (["step": "main", "data": ["value": -212.7, "unit": "eV"]] as JSON).serialized(), token: cluster.key)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 2, state: "succeeded").status, 204)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 2, state: "succeeded").status, 204)
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events.first?["message"], "SCF started")
        let calculation = try client.get("/api/v1/calculations/\(id)", token: adminToken()).json
        XCTAssertEqual(calculation["state"], "succeeded")
        XCTAssertNotNil(calculation["finished_at"]?.stringValue)
        XCTAssertEqual(calculation["progress"], ["done": 0, "total": 1])
        let stored = try client.get("/api/v1/calculations/\(id)/analyses/total_energy", token: adminToken())
        XCTAssertEqual(stored.json["items"]?.arrayValue?.count, 1, "idempotent")
        XCTAssertEqual(stored.json["items"]?.arrayValue?.first?["data"]?["value"], -212.7)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 3, state: "running").status, 409, "a finished calculation does not run again")
    }

    func testProgressIsTheLatestReportedAndShowsInTheList() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "progress")
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        func report(_ seq: Int64, _ progress: JSON?) throws {
            var body: [String: JSON] = ["seq": .integer(seq), "level": "INFO", "message": "step \(seq)"]
            if let progress { body["progress"] = progress }
            XCTAssertEqual(try client.post("/api/v1/agent/calculations/\(id)/events", .object(body), token: cluster.key).status, 204)
        }
        func shown() throws -> JSON? {
            let page = try client.get("/api/v1/calculations?cluster_id=\(cluster.id)", token: adminToken()).json
            return page["items"]?.arrayValue?.first { $0["id"]?.integerValue == id }?["progress"]
        }
        XCTAssertEqual(try shown(), .null, "no progress before the first report")
        try report(1, ["done": 1, "total": 4])
        try report(2, ["done": 3, "total": 4])
        try report(3, nil)
        XCTAssertEqual(try shown(), ["done": 3, "total": 4], "an event without progress keeps the last one")
        try report(1, ["done": 1, "total": 4])
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["progress"], ["done": 3, "total": 4],
                       "a replayed older report does not move progress back")
    }

    /// The one-round-trip report (migrations/0011) writes only when the calculation is still in the
    /// state its caller decided from, and once per seq.
    func testAReportAppliesOnlyToTheStateItWasDecidedFrom() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "compare and set")
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        let database = try stack.database()
        func report(expecting expected: String, seq: Int64) throws -> String? {
            try database.queryFirst("CALL apply_calculation_report(?, ?, NULL, ?, 'succeeded', NULL, 'INFO', 'done', NULL, NULL, 'succeeded', NULL, 1, 'succeeded', ?, 'subject', 'text', '<p>html</p>')",
                                    [.integer(id), .text(expected), .integer(seq), .text(#"["a@calcflow.test", "b@calcflow.test"]"#)])?.string("outcome")
        }
        func count(_ sql: String) throws -> Int64? { try database.queryFirst(sql, [.integer(id)])?.int("n") }

        XCTAssertEqual(try report(expecting: "queued", seq: 7), "stale")
        XCTAssertEqual(try count("SELECT COUNT(*) AS n FROM calculation_events WHERE calculation_id = ?"), 0, "nothing written when stale")
        XCTAssertEqual(try database.queryFirst("SELECT state FROM calculations WHERE id = ?", [.integer(id)])?.string("state"), "running")

        XCTAssertEqual(try report(expecting: "running", seq: 7), "applied")
        XCTAssertEqual(try database.queryFirst("SELECT state, finished_at IS NOT NULL AS finished FROM calculations WHERE id = ?", [.integer(id)])?.bool("finished"), true)
        XCTAssertEqual(try count("SELECT COUNT(*) AS n FROM outbox WHERE calculation_id = ?"), 2, "one mail per recipient")

        XCTAssertEqual(try report(expecting: "succeeded", seq: 7), "replay")
        XCTAssertEqual(try count("SELECT COUNT(*) AS n FROM outbox WHERE calculation_id = ?"), 2, "a replay mails nobody")
        XCTAssertEqual(try count("SELECT COUNT(*) AS n FROM calculation_events WHERE calculation_id = ?"), 1)
    }

    /// A calculation deleted through another API host, whose agent still uploads: 404, not a 5xx that
    /// would hold up the agent's spool.
    func testAnUploadForACalculationDeletedElsewhereIsNotFound() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "deleted elsewhere")
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        let body = (["data": ["value": -1.0]] as JSON).serialized()
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/scf", body: body, token: cluster.key).status, 204)
        try stack.database().execute("DELETE FROM calculations WHERE id = ?", [.integer(id)])
        let late = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy", body: body, token: cluster.key)
        XCTAssertEqual(late.status, 404, late.description)
        XCTAssertLessThan(try event(cluster, calculation: id, seq: 9).status, 500)
    }

    func testAnotherClustersKeyCannotTouchACalculation() throws {
        let cluster = try makeCluster()
        let other = try makeCluster()
        _ = try createCalculation(cluster: cluster)
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        XCTAssertEqual(try event(other, calculation: id, seq: 1, state: "succeeded").status, 404)
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/scf", body: (["data": ["converged": true]] as JSON).serialized(), token: other.key).status, 404)
        XCTAssertEqual(try client.post("/api/v1/agent/logs", ["entries": [["ts": "2026-11-26T10:00:00Z", "level": "INFO", "message": "x", "calculation_id": .integer(id)]]], token: other.key).status, 404)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: other.key).status, 204)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "running")
    }

    func testCancellingAQueuedCalculationEndsItAndARunningOneAsksTheAgent() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        let queued = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token)["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/calculations/\(queued)/cancel", token: createUser(role: "user").token).status, 403, "not its creator")
        let cancelled = try client.post("/api/v1/calculations/\(queued)/cancel", token: user.token)
        XCTAssertEqual(cancelled.json["state"], "cancelled")
        let running = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token)["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, running)
        let asked = try client.post("/api/v1/calculations/\(running)/cancel", token: user.token)
        XCTAssertEqual(asked.json["state"], "running")
        XCTAssertEqual(asked.json["cancel_requested"], true)
        try Deadline.wait(for: "the heartbeat to carry the cancellation", seconds: 5) {
            try heartbeat(cluster, running: [running]).json["cancel"] == [.integer(running)]
        }
        XCTAssertEqual(try event(cluster, calculation: running, seq: 1, state: "cancelled").status, 204)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(running)", token: user.token).json["state"], "cancelled")
    }

    func testEditingOnlyBeforeAClaimAndRerunCopiesTheInput() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token)["id"]?.integerValue)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["priority": -50], token: user.token).json["priority"], -50)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["priority": 500], token: user.token).status, 400)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["name": "theirs"], token: createUser(role: "user").token).status, 403)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["name": "moderated"], token: createUser(role: "moderator").token).status, 200)
        _ = try client.post("/api/v1/agent/claim", token: cluster.key)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["priority": 1], token: user.token).status, 409)
        _ = try event(cluster, calculation: id, seq: 1, state: "failed", message: "pw.x exited 1")
        let failed = try client.get("/api/v1/calculations/\(id)", token: user.token).json
        XCTAssertEqual(failed["state"], "failed")
        XCTAssertEqual(failed["reason"], "pw.x exited 1")
        let rerun = try client.post("/api/v1/calculations/\(id)/rerun", token: user.token)
        XCTAssertEqual(rerun.status, 201)
        XCTAssertEqual(rerun.json["state"], "queued")
        XCTAssertEqual(rerun.json["rerun_of"], .integer(id))
        XCTAssertEqual(rerun.json["configuration"], failed["configuration"])
    }

    func testACalculationsPageFollowsItOverServerSentEventsUntilItFinishes() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token)["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        let (baseURL, certificate, key) = (stack.baseURL, stack.certificate, cluster.key)
        let reporter = Thread {
            // The agent's reports, from another connection while the page's stream is open.
            let agent = APIClient(baseURL: baseURL, certificate: certificate)
            Thread.sleep(forTimeInterval: 1)
            _ = try? agent.send("POST", "/api/v1/agent/calculations/\(id)/events", body: (["seq": 1, "level": "INFO", "message": "step main started"] as JSON).serialized(), token: key)
            Thread.sleep(forTimeInterval: 0.5)
            _ = try? agent.send("POST", "/api/v1/agent/calculations/\(id)/events", body: (["seq": 2, "state": "succeeded", "level": "INFO",
                                                                                           "message": "all steps converged"] as JSON).serialized(), token: key)
        }
        reporter.start()
        let started = Date()
        let stream = try APIClient(baseURL: stack.baseURL, certificate: stack.certificate).get("/api/v1/calculations/\(id)/stream", token: user.token)
        XCTAssertEqual(stream.status, 200)
        XCTAssertEqual(stream.header("Content-Type"), "text/event-stream; charset=utf-8")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the stream ends once the calculation has finished")
        let text = stream.text
        XCTAssertTrue(text.contains("event: event\ndata: {") && text.contains("step main started") && text.contains("all steps converged"), text)
        let states = text.components(separatedBy: "event: calculation\ndata: ").dropFirst().compactMap { try? JSON.parse(String($0.prefix { $0 != "\n" })) }
        XCTAssertEqual(states.first?["state"], "running", "the calculation at once")
        XCTAssertEqual(states.last?["state"], "succeeded")
        XCTAssertEqual(states.last?["allowed_actions"], ["rerun", "delete"])
        XCTAssertTrue(text.hasSuffix("event: end\ndata: {\"reason\":\"finished\"}\n\n"), text)
        XCTAssertEqual(try client.get("/api/v1/calculations/999999/stream", token: user.token).status, 404)
    }

    func testListsFilterByStateClusterAndText() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "Benzene at 0.5 V")
        _ = try createCalculation(cluster: cluster, name: "Water")
        let token = try adminToken()
        let byText = try client.get("/api/v1/calculations?q=Benzene&cluster_id=\(cluster.id)", token: token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(byText.map { $0["name"] }, ["Benzene at 0.5 V"])
        XCTAssertEqual(try client.get("/api/v1/calculations?state=queued&cluster_id=\(cluster.id)", token: token).json["items"]?.arrayValue?.count, 2)
        XCTAssertEqual(try client.get("/api/v1/calculations?state=bogus", token: token).status, 400)
        XCTAssertEqual(try client.get("/api/v1/calculations?q=%25%27%20OR%201%3D1", token: token).status, 200)
    }

    /// Sorted by name or priority, page by page: every row once, in order, ties broken by id, however
    /// small the page.
    func testListsSortByNameAndPriorityAcrossPages() throws {
        let cluster = try makeCluster()
        let rows: [(String, Int64)] = [("beta", 5), ("Alpha", 5), ("gamma", -3), ("alpha", 10), ("delta", 5)]
        var ids: [String: Int64] = [:]
        for (name, priority) in rows {
            ids[name] = try XCTUnwrap(try createCalculation(cluster: cluster, name: name, priority: priority)["id"]?.integerValue)
        }
        let token = try adminToken()
        func walk(_ sort: String) throws -> [Int64] {
            var seen: [Int64] = []
            var cursor = ""
            repeat {
                let page = try client.get("/api/v1/calculations?cluster_id=\(cluster.id)&sort=\(sort)&limit=2\(cursor.isEmpty ? "" : "&cursor=\(cursor)")", token: token)
                XCTAssertEqual(page.status, 200, page.description)
                seen += page.json["items"]?.arrayValue?.compactMap { $0["id"]?.integerValue } ?? []
                cursor = page.json["next_cursor"]?.stringValue ?? ""
            } while !cursor.isEmpty && seen.count < 20
            return seen
        }
        let id = { (name: String) in ids[name]! }
        // The collation ignores case: "Alpha" and "alpha" tie, and their ids decide.
        XCTAssertEqual(try walk("name"), [id("Alpha"), id("alpha"), id("beta"), id("delta"), id("gamma")])
        XCTAssertEqual(try walk("-priority"), [id("alpha"), id("delta"), id("Alpha"), id("beta"), id("gamma")])
        XCTAssertEqual(try walk("priority"), [id("gamma"), id("beta"), id("Alpha"), id("delta"), id("alpha")])
        XCTAssertEqual(try walk("-id"), ids.values.sorted(by: >))
        XCTAssertEqual(try client.get("/api/v1/calculations?sort=state", token: token).json["error"]?["field"], "sort")
        // A cursor of one order is refused by another, with a message, not a wrong page.
        let byName = try client.get("/api/v1/calculations?cluster_id=\(cluster.id)&sort=name&limit=2", token: token).json["next_cursor"]?.stringValue ?? ""
        XCTAssertEqual(try client.get("/api/v1/calculations?sort=priority&cursor=\(byName)", token: token).status, 400)
        XCTAssertEqual(try client.get("/api/v1/calculations?sort=name&cursor=i5", token: token).json["error"]?["field"], "cursor")
        XCTAssertEqual(try client.get("/api/v1/calculations?sort=id&cursor=\(byName)", token: token).json["error"]?["field"], "cursor")
    }

    /// Each text at the longest the API accepts, in characters of three UTF-8 bytes: stored whole.
    func testTheLongestTextsAreStoredWhole() throws {
        let token = try adminToken()
        let longest = String(repeating: "€", count: 100_000)
        let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"
        let molecule = try client.post("/api/v1/molecules", ["name": "Noted", "notes": .string(longest), "structure": ["format": "xyz", "text": .string(water)]],
                                       token: token)
        XCTAssertEqual(molecule.status, 201, molecule.description)
        let moleculeID = try XCTUnwrap(molecule.json["id"]?.integerValue)
        XCTAssertEqual(try client.get("/api/v1/molecules/\(moleculeID)", token: token).json["notes"]?.stringValue?.count, 100_000)

        let cluster = try makeCluster()
        var body = calculationBody(cluster: cluster, name: "described").objectValue ?? [:]
        body["description"] = .string(String(longest.prefix(20_000)))
        let created = try client.post("/api/v1/calculations", .object(body), token: token)
        XCTAssertEqual(created.status, 201, created.description)
        XCTAssertEqual(created.json["description"]?.stringValue?.count, 20_000)

        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        for (seq, state) in [(1, nil), (2, "failed")] as [(Int64, String?)] {
            var event: [String: JSON] = ["seq": .integer(seq), "level": "ERROR", "message": .string(longest)]
            if let state { event["state"] = .string(state) }
            XCTAssertEqual(try client.post("/api/v1/agent/calculations/\(id)/events", .object(event), token: cluster.key).status, 204)
        }
        let events = try client.get("/api/v1/calculations/\(id)/events", token: token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(events.map { $0["message"]?.stringValue?.count }, [100_000, 100_000])
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: token).json["state"], "failed")

        let logged = try client.post("/api/v1/agent/logs", ["entries": [["ts": "2026-11-26T10:00:00Z", "level": "INFO", "message": .string(longest),
                                                                        "calculation_id": .integer(id)]]], token: cluster.key)
        XCTAssertEqual(logged.status, 204, logged.description)
        let logs = try client.get("/api/v1/logs?calculation_id=\(id)", token: token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(logs.first?["message"]?.stringValue?.count, 100_000)
    }

    func testMoleculesValidateStructuresAndCompareAcrossCalculations() throws {
        let token = try adminToken()
        let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"
        let created = try client.post("/api/v1/molecules", ["name": "Water", "structure": ["format": "xyz", "text": .string(water)]], token: token)
        XCTAssertEqual(created.status, 201, created.description)
        XCTAssertEqual(created.json["formula"], "H2O")
        let moleculeID = try XCTUnwrap(created.json["id"]?.integerValue)
        let broken = try client.post("/api/v1/molecules", ["name": "Bad", "structure": ["format": "xyz", "text": "2\nx\nO 0 0 0\n"]], token: token)
        XCTAssertEqual(broken.json["error"]?["field"], "structure.text")
        XCTAssertEqual(try client.post("/api/v1/molecules", ["name": "Bad", "structure": ["format": "xyz", "text": "1\nx\nXx 0 0 0\n"]], token: token).status, 400)
        let cluster = try makeCluster()
        var ids: [Int64] = []
        for voltage in [0.0, 0.5] {
            var body = calculationBody(cluster: cluster, name: "Water at \(voltage) V").objectValue ?? [:]
            body["molecule_id"] = .integer(moleculeID)
            body["steps"] = [["name": "scf", "parameters": ["voltage": .number(voltage)]]]
            let calculation = try client.post("/api/v1/calculations", .object(body), token: token)
            XCTAssertEqual(calculation.status, 201, calculation.description)
            let claimed = try client.post("/api/v1/agent/claim", token: cluster.key)
            XCTAssertEqual(claimed.json["molecule"]?["formula"], "H2O", "the agent gets the structure")
            let id = try XCTUnwrap(claimed.json["id"]?.integerValue)
            ids.append(id)
            _ = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                body: (["step": "scf", "data": ["value": .number(-470.0 - voltage), "unit": "eV"]] as JSON).serialized(), token: cluster.key)
        }
        XCTAssertEqual(try client.get("/api/v1/molecules/\(moleculeID)/calculations", token: token).json["items"]?.arrayValue?.count, 2)
        let compared = try client.get("/api/v1/molecules/\(moleculeID)/compare?analysis=total_energy", token: token)
        XCTAssertEqual(compared.status, 200)
        let items = compared.json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.compactMap { $0["calculation_id"]?.integerValue }, ids)
        XCTAssertEqual(items.last?["parameters"]?["voltage"], 0.5)
        XCTAssertEqual(items.last?["data"]?["value"], -470.5)
        XCTAssertEqual(try client.delete("/api/v1/molecules/\(moleculeID)", token: token).status, 409)
    }
}
