import CalcflowTestSupport
import JSON
import XCTest

/// An agent's spool sent in one request: `POST /agent/updates` answers each update as its own route
/// would, in order.
final class UpdateBatchTests: StackTestCase {
    private func update(_ method: String, _ path: String, _ body: JSON) -> JSON {
        ["method": .string(method), "path": .string(path), "body": body]
    }

    private func statuses(_ response: TestResponse) -> [Int64] {
        response.json["results"]?.arrayValue?.compactMap { $0["status"]?.integerValue } ?? []
    }

    func testAStepsEventsAndAnalysesInOneRequestAreAppliedInOrder() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "batched")
        let id = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        let base = "/agent/calculations/\(id)"
        let batch: JSON = ["updates": [
            update("POST", "\(base)/events", ["seq": 1, "step": "main", "level": "INFO", "message": "step main started"]),
            update("PUT", "\(base)/analyses/total_energy", ["step": "main", "data": ["value": -5.07, "unit": "eV"]]),
            update("PUT", "\(base)/analyses/scf", ["step": "main", "data": ["converged": true, "iterations": 7]]),
            update("POST", "\(base)/events", ["seq": 2, "state": "succeeded", "step": "main", "level": "INFO", "message": "done"]),
        ]]
        let response = try client.post("/api/v1/agent/updates", batch, token: cluster.key)
        XCTAssertEqual(response.status, 200, response.description)
        XCTAssertEqual(statuses(response), [204, 204, 204, 204])

        let calculation = try client.get("/api/v1/calculations/\(id)", token: adminToken()).json
        XCTAssertEqual(calculation["state"], "succeeded")
        let analyses = try client.get("/api/v1/calculations/\(id)/analyses", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(Set(analyses.compactMap { $0["name"]?.stringValue }), ["scf", "total_energy"])
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(events.compactMap { $0["seq"]?.integerValue }, [1, 2])

        // Sent again after a lost answer: every update a replay, nothing stored twice.
        XCTAssertEqual(statuses(try client.post("/api/v1/agent/updates", batch, token: cluster.key)), [204, 204, 204, 204])
        let replayed = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(replayed.count, 2)
    }

    func testARefusedUpdateIsAnsweredAloneAndTheOthersGoOn() throws {
        let cluster = try makeCluster()
        let other = try makeCluster()
        _ = try createCalculation(cluster: cluster, name: "mine")
        _ = try createCalculation(cluster: other, name: "theirs")
        let mine = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue)
        let theirs = try XCTUnwrap(try client.post("/api/v1/agent/claim", token: other.key).json["id"]?.integerValue)
        let response = try client.post("/api/v1/agent/updates", ["updates": [
            update("POST", "/agent/calculations/\(mine)/events", ["seq": 1, "level": "INFO", "message": "started"]),
            update("POST", "/agent/calculations/\(theirs)/events", ["seq": 1, "state": "succeeded", "level": "INFO", "message": "not mine"]),
            update("POST", "/agent/calculations/\(mine)/events", ["seq": 2, "level": "LOUD", "message": "bad level"]),
            update("PUT", "/agent/calculations/\(mine)/analyses/scf", ["step": "main", "data": ["converged": true]]),
        ]], token: cluster.key)
        XCTAssertEqual(response.status, 200, response.description)
        XCTAssertEqual(statuses(response), [204, 404, 400, 204], "another cluster's calculation is not found, a bad event is invalid")
        let results = response.json["results"]?.arrayValue ?? []
        XCTAssertEqual(results[2]["error"]?["code"], "invalid")
        XCTAssertEqual(results[2]["error"]?["field"], "level")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(theirs)", token: adminToken()).json["state"], "running",
                       "another cluster's key changed nothing")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(mine)/analyses/scf", token: adminToken()).json["items"]?.arrayValue?.count, 1)
    }

    func testOnlyReportsMayBeBatchedAndTheBatchItselfIsChecked() throws {
        let cluster = try makeCluster()
        let claim = try client.post("/api/v1/agent/updates", ["updates": [update("POST", "/agent/claim", [:])]], token: cluster.key)
        XCTAssertEqual(statuses(claim), [400], "a claim is not a report: \(claim.description)")
        let logs = try client.post("/api/v1/agent/updates", ["updates": [update("POST", "/agent/logs", ["entries": []])]], token: cluster.key)
        XCTAssertEqual(statuses(logs), [400], "log lines have no seq; a batch sent twice would store them twice")
        let user = try client.post("/api/v1/agent/updates", ["updates": [update("GET", "/me", .null)]], token: cluster.key)
        XCTAssertEqual(statuses(user), [400])

        XCTAssertEqual(try client.post("/api/v1/agent/updates", ["updates": []], token: adminToken()).status, 403, "a user's token is not a cluster key")
        XCTAssertEqual(try client.post("/api/v1/agent/updates", ["updates": "all"], token: cluster.key).status, 400)
        XCTAssertEqual(try client.post("/api/v1/agent/updates", ["updates": [], "more": 1], token: cluster.key).status, 400)
        let tooMany = JSON.array(Array(repeating: update("POST", "/agent/calculations/1/events", ["seq": 1, "level": "INFO", "message": "x"]), count: 1_001))
        XCTAssertEqual(try client.post("/api/v1/agent/updates", ["updates": tooMany], token: cluster.key).status, 400)
        XCTAssertEqual(statuses(try client.post("/api/v1/agent/updates", ["updates": []], token: cluster.key)), [])
    }
}
