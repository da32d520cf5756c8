import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Registering models, who may start and change them, and the protocol the model controller speaks.
final class ModelAPITests: StackTestCase {
    // A controller silent for 3 s has its models shown as unknown; invocation records are kept a week.
    override class var settings: [String: String] { ["lost_after": "3", "maintenance_interval_ms": "200", "invocation_retention_days": "7"] }

    func register(_ name: String = "energy-\(UUID().uuidString.prefix(6).lowercased())", token: String? = nil,
                  predicts: JSON = ["analysis": "total_energy", "unit": "eV"]) throws -> JSON {
        let created = try client.post("/api/v1/models", [
            "name": .string(name), "image": "localhost/calcflow/example-energy:1", "environment": ["MODEL_LOG_LEVEL": "info"],
            "predicts": predicts, "startup_timeout_seconds": 120,
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
            (["name": "ok", "image": "x", "predicts": ["analysis": "total_energy", "engine": "xtb\u{7}"]], "predicts.engine"),
            (["name": "ok", "image": "x", "predicts": ["analysis": "total_energy", "engines": ["xtb"]]], "predicts.engines"),
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

    /// A model that names an engine predicts that engine's calculations only: a pw.x run does not list it,
    /// and asking it about one is refused with the reason. A model of every engine is listed; so is the
    /// first once its engine is taken away.
    func testAModelThatNamesAnEngineIsOnlyAskedAboutThatEnginesCalculations() throws {
        let xtbOnly = try register(predicts: ["analysis": "total_energy", "unit": "eV", "engine": "xtb"])
        let xtbOnlyID = try XCTUnwrap(xtbOnly["id"]?.integerValue)
        XCTAssertEqual(xtbOnly["predicts"], ["analysis": "total_energy", "unit": "eV", "engine": "xtb"])
        let anyEngine = try register()
        let anyEngineID = try XCTUnwrap(anyEngine["id"]?.integerValue)
        XCTAssertEqual(anyEngine["predicts"]?["engine"], .null)
        let calculation = try XCTUnwrap(try createCalculation(cluster: try makeCluster())["id"]?.integerValue)
        func listedModels() throws -> [Int64] {
            let listed = try client.get("/api/v1/calculations/\(calculation)/predictions", token: adminToken())
            XCTAssertEqual(listed.status, 200, listed.description)
            return (listed.json["items"]?.arrayValue ?? []).compactMap { $0["model_id"]?.integerValue }
        }
        XCTAssertTrue(try listedModels().contains(anyEngineID), "a model of every engine predicts the pw.x run's total energy")
        XCTAssertFalse(try listedModels().contains(xtbOnlyID), "the xtb model does not")
        let refused = try client.post("/api/v1/calculations/\(calculation)/predictions", ["model_id": .integer(xtbOnlyID)], token: adminToken())
        XCTAssertEqual(refused.status, 409, refused.description)
        XCTAssertEqual(refused.json["error"]?["message"]?.stringValue,
                       "model '\(xtbOnly["name"]?.stringValue ?? "")' predicts total_energy of xtb calculations; calculation \(calculation) is run by qe")
        let widened = try client.patch("/api/v1/models/\(xtbOnlyID)", ["predicts": ["analysis": "total_energy", "unit": "eV"]], token: adminToken())
        XCTAssertEqual(widened.json["predicts"]?["engine"], .null, widened.description)
        XCTAssertTrue(try listedModels().contains(xtbOnlyID), "without its engine it predicts every engine's")
    }

    /// Automatic predictions follow the same rule. Of a pw.x run that computed total_energy, the model of
    /// every engine is asked (no container answers at its endpoint, so its answer is a recorded failure);
    /// the xtb model is not, in that round or the next few.
    func testAutomaticPredictionsAskOnlyTheModelsOfTheCalculationsEngine() throws {
        let key = try controllerKey()
        var models: [Int64] = []
        for predicts: JSON in [["analysis": "total_energy", "unit": "eV", "engine": "xtb"], ["analysis": "total_energy", "unit": "eV"]] {
            let id = try XCTUnwrap(register(predicts: predicts)["id"]?.integerValue)
            XCTAssertEqual(try client.patch("/api/v1/models/\(id)", ["auto_predict": true], token: adminToken()).status, 200)
            XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: adminToken()).status, 200)
            models.append(id)
        }
        func reportHealthy() throws {
            let beat = try client.post("/api/v1/controller/heartbeat", ["models": .array(models.map { id in
                ["id": .integer(id), "state": "healthy", "endpoint": "http://127.0.0.1:9", "last_ping_ok": true]
            })], token: key)
            XCTAssertEqual(beat.status, 204, beat.description)
        }
        try reportHealthy()
        let cluster = try makeCluster()
        let id = try XCTUnwrap(try createCalculation(cluster: cluster)["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                       body: (["data": ["value": -215.5, "unit": "eV"]] as JSON).serialized(), token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        let database = try stack.database()
        func asked(_ model: Int64) throws -> Int64 {
            try database.queryFirst("SELECT COUNT(*) AS n FROM predictions WHERE calculation_id = ? AND model_id = ?",
                                    [.integer(id), .integer(model)])?.int("n") ?? 0
        }
        try Deadline.wait(for: "the model of every engine to be asked", seconds: 20, interval: 0.5) {
            try reportHealthy()
            return try asked(models[1]) > 0
        }
        // Rounds run every 200 ms here: five more, and the xtb model has still not been asked.
        Thread.sleep(forTimeInterval: 1)
        try reportHealthy()
        XCTAssertEqual(try asked(models[0]), 0, "the xtb model is not asked about a pw.x run")
        // Nor is the pw.x run picked for it and then refused: such a round never completes, and looks at
        // every calculation again each time.
        let refusals = stack.apiLog().split(separator: "\n").filter { line in
            line.contains("event=auto_prediction_failed") && line.split(separator: " ").contains("model=\(models[0])")
        }
        XCTAssertEqual(refusals.count, 0, refusals.joined(separator: "\n"))
    }

    /// Accuracy is over each calculation's latest prediction beside its computed value; a calculation
    /// without a computed value does not count.
    func testAccuracyTakesEachCalculationsLatestPredictionBesideItsComputedValue() throws {
        let model = try XCTUnwrap(register()["id"]?.integerValue)
        let cluster = try makeCluster()
        var calculations: [Int64] = []
        for computed in [-10.0, -20.0, nil] {
            let id = try XCTUnwrap(try createCalculation(cluster: cluster)["id"]?.integerValue)
            XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
            if let computed {
                XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                               body: (["data": ["value": .number(computed), "unit": "eV"]] as JSON).serialized(), token: cluster.key).status, 204)
            }
            XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
            calculations.append(id)
        }
        let database = try stack.database()
        for (index, value) in [(0, -11.0), (0, -10.5), (1, -19.0), (2, -30.0)] {
            try database.execute("INSERT INTO predictions (calculation_id, model_id, analysis, value, unit, status) VALUES (?, ?, 'total_energy', ?, 'eV', 200)",
                                 [.integer(calculations[index]), .integer(model), .double(value)])
        }
        let accuracy = try client.get("/api/v1/models/\(model)/accuracy", token: adminToken())
        XCTAssertEqual(accuracy.status, 200, accuracy.description)
        // Residuals -10.5 - (-10) = -0.5 and -19 - (-20) = 1.
        XCTAssertEqual(accuracy.json["count"], 2, accuracy.description)
        XCTAssertEqual(try XCTUnwrap(accuracy.json["mean_absolute_error"]?.doubleValue), 0.75, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(accuracy.json["bias"]?.doubleValue), 0.25, accuracy: 1e-9)
        XCTAssertEqual(accuracy.json["by_engine"]?["qe"]?["count"], 2)
    }
}
