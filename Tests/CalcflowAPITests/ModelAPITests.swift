import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Registering models, who may start and change them, and the protocol the model controller speaks.
final class ModelAPITests: StackTestCase {
    // A controller silent for 3 s has its models shown as unknown; invocation records are kept a week.
    override class var settings: [String: String] { ["lost_after": "3", "maintenance_interval_ms": "200", "invocation_retention_days": "7"] }

    func register(_ name: String = "energy-\(UUID().uuidString.prefix(6).lowercased())", token: String? = nil) throws -> JSON {
        let created = try client.post("/api/v1/models", [
            "name": .string(name), "image": "localhost/calcflow/example-energy:1", "environment": ["MODEL_LOG_LEVEL": "info"],
            "predicts": ["analysis": "total_energy", "unit": "eV"], "startup_timeout_seconds": 120,
        ], token: try token ?? adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        return created.json
    }

    func controllerKey() throws -> String {
        let created = try client.post("/api/v1/controller/keys", ["label": "calcflow-models on this machine"], token: adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        let key = try XCTUnwrap(created.json["key"]?.stringValue)
        XCTAssertTrue(key.hasPrefix("mk_"))
        return key
    }

    func testAdminsRegisterModelsModeratorsStartThemAndUsersInvoke() throws {
        let model = try register()
        let id = try XCTUnwrap(model["id"]?.integerValue)
        XCTAssertEqual(model["state"], "stopped")
        XCTAssertEqual(model["desired_state"], "stopped")
        XCTAssertEqual(model["port"], 8080)
        XCTAssertEqual(model["predicts"]?["analysis"], "total_energy")
        XCTAssertEqual(model["allowed_actions"], ["invoke", "start", "edit", "delete"])
        let user = try createUser(role: "user")
        XCTAssertEqual(try client.get("/api/v1/models/\(id)", token: user.token).json["allowed_actions"], ["invoke"])
        XCTAssertEqual(try client.post("/api/v1/models", ["name": "mine", "image": "x"], token: user.token).status, 403)
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: user.token).status, 403)
        let moderator = try createUser(role: "moderator")
        let started = try client.post("/api/v1/models/\(id)/start", token: moderator.token)
        XCTAssertEqual(started.json["desired_state"], "running", started.description)
        XCTAssertEqual(started.json["allowed_actions"], ["invoke", "stop"])
        XCTAssertEqual(try client.patch("/api/v1/models/\(id)", ["image": "other"], token: moderator.token).status, 403)
        XCTAssertEqual(try client.patch("/api/v1/models/\(id)", ["invocation_timeout_seconds": 30], token: adminToken()).json["invocation_timeout_seconds"], 30)
        XCTAssertEqual(try client.delete("/api/v1/models/\(id)", token: moderator.token).status, 403)
        XCTAssertEqual(try client.delete("/api/v1/models/\(id)", token: adminToken()).status, 204)
        XCTAssertEqual(try client.get("/api/v1/models/\(id)", token: user.token).status, 404)
    }

    func testBadModelsAreRefusedNamingTheField() throws {
        let admin = try adminToken()
        let name = "dup-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try register(name)
        XCTAssertEqual(try client.post("/api/v1/models", ["name": .string(name), "image": "x"], token: admin).status, 409)
        let cases: [(JSON, String)] = [
            (["name": "has space", "image": "x"], "name"),
            (["name": "ok", "image": "two words"], "image"),
            (["name": "ok", "image": "x", "environment": ["1BAD": "v"]], "environment.1BAD"),
            (["name": "ok", "image": "x", "environment": ["GOOD": 1]], "environment.GOOD"),
            (["name": "ok", "image": "x", "model_data": "relative/folder"], "model_data"),
            (["name": "ok", "image": "x", "startup_timeout_seconds": 10], "startup_timeout_seconds"),
            (["name": "ok", "image": "x", "memory_limit_bytes": 1024], "memory_limit_bytes"),
            (["name": "ok", "image": "x", "colour": "red"], "colour"),
        ]
        for (body, field) in cases {
            let response = try client.post("/api/v1/models", body, token: admin)
            XCTAssertEqual(response.status, 400, body.serializedString())
            XCTAssertEqual(response.json["error"]?["field"]?.stringValue, field, response.description)
        }
    }

    func testTheControllerReadsTheDesiredStateAndReportsWhatItSees() throws {
        let key = try controllerKey()
        let model = try register()
        let id = try XCTUnwrap(model["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: adminToken()).status, 200)
        let desired = try client.get("/api/v1/controller/models", token: key)
        XCTAssertEqual(desired.status, 200, desired.description)
        let entry = try XCTUnwrap(desired.json["items"]?.arrayValue?.first { $0["id"]?.integerValue == id })
        XCTAssertEqual(entry["desired_state"], "running")
        XCTAssertEqual(entry["image"], "localhost/calcflow/example-energy:1")
        XCTAssertEqual(entry["start_generation"], 1)
        // Only a controller key opens the controller's routes, and it opens no other.
        XCTAssertEqual(try client.get("/api/v1/controller/models", token: adminToken()).status, 403)
        XCTAssertEqual(try client.get("/api/v1/models", token: key).status, 403)

        let beat = try client.post("/api/v1/controller/heartbeat", ["models": [[
            "id": .integer(id), "state": "healthy", "container_id": "0123abcd", "endpoint": "http://127.0.0.1:40123",
            "last_ping_ok": true, "restarts": 2, "message": .null,
        ]]], token: key)
        XCTAssertEqual(beat.status, 204, beat.description)
        let seen = try client.get("/api/v1/models/\(id)", token: adminToken()).json
        XCTAssertEqual(seen["state"], "healthy")
        XCTAssertEqual(seen["restarts"], 2)
        XCTAssertEqual(seen["endpoint"], "http://127.0.0.1:40123")
        XCTAssertNotNil(seen["last_ping_at"]?.stringValue)

        let logs = try client.post("/api/v1/controller/logs", ["entries": [[
            "ts": .string(Date().formatted(.iso8601)), "level": "INFO", "message": "weights loaded in 0.2 s", "model_id": .integer(id),
        ]]], token: key)
        XCTAssertEqual(logs.status, 204, logs.description)
        let listed = try client.get("/api/v1/logs?model_id=\(id)", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(listed.first?["message"], "weights loaded in 0.2 s")
        XCTAssertEqual(listed.first?["model"], model["name"])
        XCTAssertEqual(try client.post("/api/v1/controller/logs", ["entries": [[
            "ts": .string(Date().formatted(.iso8601)), "level": "INFO", "message": "x", "model_id": 999_999,
        ]]], token: key).status, 404)
        XCTAssertEqual(try client.post("/api/v1/controller/heartbeat", ["models": [["id": .integer(id), "state": "unknown"]]], token: key).status, 400)
    }

    func testAModelWhoseControllerFellSilentIsShownUnknown() throws {
        let key = try controllerKey()
        let id = try XCTUnwrap(register()["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(id)/start", token: adminToken())
        XCTAssertEqual(try client.get("/api/v1/models/\(id)", token: adminToken()).json["state"], "unknown", "no controller has reported it")
        _ = try client.post("/api/v1/controller/heartbeat", ["models": [["id": .integer(id), "state": "healthy", "last_ping_ok": true]]], token: key)
        XCTAssertEqual(try client.get("/api/v1/models/\(id)", token: adminToken()).json["state"], "healthy")
        try Deadline.wait(for: "the silence to show", seconds: 10, interval: 0.5) {
            try client.get("/api/v1/models/\(id)", token: adminToken()).json["state"] == "unknown"
        }
        let shown = try client.get("/api/v1/models/\(id)", token: adminToken()).json
        XCTAssertTrue(shown["message"]?.stringValue?.contains("calcflow-models") == true, shown.serializedString())
    }

    func testStartingAgainBeginsAfreshAndRevokedKeysStopWorking() throws {
        let keyResponse = try client.post("/api/v1/controller/keys", ["label": "temporary"], token: adminToken())
        let key = try XCTUnwrap(keyResponse.json["key"]?.stringValue)
        let keyID = try XCTUnwrap(keyResponse.json["id"]?.integerValue)
        let id = try XCTUnwrap(register()["id"]?.integerValue)
        for _ in 0..<2 {
            XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: adminToken()).status, 200)
            XCTAssertEqual(try client.post("/api/v1/models/\(id)/stop", token: adminToken()).json["desired_state"], "stopped")
        }
        let generation = try client.get("/api/v1/controller/models", token: key).json["items"]?.arrayValue?.first { $0["id"]?.integerValue == id }?["start_generation"]
        XCTAssertEqual(generation, 2, "each start is a new generation")
        let listed = try client.get("/api/v1/controller/keys", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(listed.contains { $0["id"]?.integerValue == keyID && $0["key"] == nil }, "no secret is listed")
        XCTAssertEqual(try client.delete("/api/v1/controller/keys/\(keyID)", token: adminToken()).status, 204)
        try Deadline.wait(for: "the revoked key to be refused", seconds: 5) {
            try client.get("/api/v1/controller/models", token: key).status == 401
        }
    }

    /// Invocation records leave after invocation_retention_days (here 7); younger ones stay listed.
    func testInvocationRecordsOlderThanTheRetentionAreRemoved() throws {
        let id = try XCTUnwrap(register()["id"]?.integerValue)
        let database = try stack.database()
        for days in [10, 8, 6, 0] {
            try database.execute(
                """
                INSERT INTO model_invocations (model_id, image, input_sha256, input_bytes, input, status, latency_ms, content_type, response, created_at)
                VALUES (?, 'localhost/calcflow/example-energy:1', SHA2(?, 256), 2, ?, 200, 1.5, 'application/json', '{"prediction": 1}',
                        CURRENT_TIMESTAMP(6) - INTERVAL ? DAY)
                """, [.integer(Int64(id)), .text("\(days) days"), .text("\(days) days"), .integer(Int64(days))])
        }
        func listedHashes() throws -> [String] {
            let listed = try client.get("/api/v1/models/\(id)/invocations", token: adminToken())
            XCTAssertEqual(listed.status, 200, listed.description)
            return (listed.json["items"]?.arrayValue ?? []).compactMap { $0["input_sha256"]?.stringValue }
        }
        try Deadline.wait(for: "the maintenance job to prune", seconds: 15, interval: 0.2) { try listedHashes().count == 2 }
        let kept = try database.query("SELECT input FROM model_invocations WHERE model_id = ? ORDER BY created_at", [.integer(Int64(id))]).compactMap { $0.string("input") }
        XCTAssertEqual(kept, ["6 days", "0 days"])
    }
}
