import CalcflowTestSupport
import Foundation
import JSON
import Synchronization
import XCTest

/// calcflow-models against a real podman engine and the real API: the contract test model registered,
/// started, killed behind its back, stopped, adopted after a kill -9, and failing clearly.
final class ModelControllerTests: StackTestCase {
    /// Automatic predictions run in rounds of the maintenance interval: the default, 5 s, so that one
    /// round can be told from the next.
    override class var settings: [String: String] { ["lost_after": "30", "maintenance_interval_ms": "5000"] }
    nonisolated(unsafe) static var engineFailure: String?

    override class func setUp() {
        super.setUp()
        do { try stacks[ObjectIdentifier(self)]?.startContainerEngine() } catch { engineFailure = "\(error)" }
    }

    var controller: Process?
    var controllerKey: String!
    static let pingIntervalMilliseconds = 500

    override func setUpWithError() throws {
        try super.setUpWithError()
        if let failure = Self.engineFailure { throw StackFailure(message: "podman did not start: \(failure)") }
        let created = try client.post("/api/v1/controller/keys", ["label": "test controller"], token: adminToken())
        controllerKey = try XCTUnwrap(created.json["key"]?.stringValue)
        try startController()
    }

    override func tearDownWithError() throws {
        stopController()
        // Every test's models go, and the controller removed their containers (or the next test's would see them).
        for model in try client.get("/api/v1/models?limit=500", token: adminToken()).json["items"]?.arrayValue ?? [] {
            _ = try client.delete("/api/v1/models/\(model["id"]?.integerValue ?? 0)", token: adminToken())
        }
        _ = try? stack.podman("rm -af -t 1")
        try super.tearDownWithError()
    }

    func startController() throws {
        let config = stack.directory + "/models.conf"
        try """
            api_url = \(stack.baseURL)
            key = \(controllerKey!)
            ca_file = \(stack.certificate)
            engine_socket = \(try XCTUnwrap(stack.containerEngineSocket))
            ping_interval_ms = \(Self.pingIntervalMilliseconds)
            ping_timeout = 1
            stop_grace = 5
            max_startup_deadline = 4
            restart_backoff_ms = 100
            name = test-controller

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestStack.binaries + "/calcflow-models")
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }
        let log = stack.directory + "/logs/calcflow-models.log"
        if !FileManager.default.fileExists(atPath: log) { XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil)) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        controller = process
    }

    func stopController(kill: Bool = false) {
        guard let controller, controller.isRunning else { return }
        if kill { Foundation.kill(controller.processIdentifier, SIGKILL) } else { controller.terminate() }
        controller.waitUntilExit()
    }

    func register(_ name: String, environment: JSON = [:]) throws -> Int64 {
        let created = try client.post("/api/v1/models", ["name": .string(name), "image": "localhost/calcflow/contract-test:1", "environment": environment],
                                      token: adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: adminToken()).status, 200)
        return id
    }

    func model(_ id: Int64) throws -> JSON { try client.get("/api/v1/models/\(id)", token: adminToken()).json }

    func waitFor(_ id: Int64, state: String, seconds: Double = 30) throws -> JSON {
        var seen: JSON = .null
        do {
            try Deadline.wait(for: "model \(id) to be \(state)", seconds: seconds, interval: 0.2) {
                seen = try model(id)
                return seen["state"]?.stringValue == state
            }
        } catch {
            XCTFail("last seen: \(seen.serializedString())\ncontroller log:\n\(String((try? String(contentsOfFile: stack.directory + "/logs/calcflow-models.log", encoding: .utf8))?.suffix(3000) ?? ""))")
            throw error
        }
        return seen
    }

    func containers(of id: Int64) throws -> [String] {
        try stack.podman("ps -a -q --filter label=calcflow.model-id=\(id)").split(separator: "\n").map(String.init)
    }

    func testAModelStartsHealthyIsRestartedWhenKilledAndStopsCleanly() throws {
        let id = try register("contract-\(UUID().uuidString.prefix(6).lowercased())")
        let healthy = try waitFor(id, state: "healthy")
        let endpoint = try XCTUnwrap(healthy["endpoint"]?.stringValue)
        XCTAssertTrue(endpoint.hasPrefix("http://127.0.0.1:"), endpoint)
        let ping = try HTTPTestRequest.get(endpoint + "/ping")
        XCTAssertEqual(ping, 200, "the container answers on its published port")
        let container = try XCTUnwrap(try containers(of: id).first)
        let inspected = try JSON.parse(Array(try stack.podman("inspect \(container)").utf8)).arrayValue?.first
        XCTAssertEqual(inspected?["Config"]?["Labels"]?["calcflow.controller"], "test-controller")
        XCTAssertEqual(inspected?["HostConfig"]?["RestartPolicy"]?["Name"], "no", "the controller owns restarts")
        XCTAssertTrue(inspected?["Config"]?["Env"]?.arrayValue?.contains("SAGEMAKER_BIND_TO_PORT=8080") == true)

        // Killed behind the controller's back: detected and restarted within two ping intervals.
        let killed = Date()
        try stack.podman("kill \(container)")
        try Deadline.wait(for: "the restart", seconds: 20, interval: 0.1) { try model(id)["restarts"]?.integerValue == 1 }
        XCTAssertLessThan(Date().timeIntervalSince(killed), 2 * Double(Self.pingIntervalMilliseconds) / 1_000 + 1.5)
        _ = try waitFor(id, state: "healthy")
        XCTAssertEqual(try containers(of: id).count, 1)

        // Stopped: SIGTERM honoured (the server says so in its log), the container removed.
        let replacement = try XCTUnwrap(try containers(of: id).first)
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/stop", token: adminToken()).status, 200)
        _ = try waitFor(id, state: "stopped")
        try Deadline.wait(for: "the container to be removed", seconds: 20, interval: 0.2) { try containers(of: id).isEmpty }
        let logs = try client.get("/api/v1/logs?model_id=\(id)&limit=500", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(logs.contains { $0["message"]?.stringValue == "weights loaded" }, "container lines reach the API's logs")
        XCTAssertFalse(replacement.isEmpty)
        XCTAssertEqual(try client.delete("/api/v1/models/\(id)", token: adminToken()).status, 204)
    }

    func testARestartedControllerAdoptsTheRunningContainerInsteadOfStartingAnother() throws {
        let id = try register("adopted-\(UUID().uuidString.prefix(6).lowercased())")
        _ = try waitFor(id, state: "healthy")
        let before = try containers(of: id)
        XCTAssertEqual(before.count, 1)
        stopController(kill: true)
        try startController()
        // It reports again, the same container, healthy.
        let reportedBefore = try model(id)["reported_at"]?.stringValue
        try Deadline.wait(for: "the new controller's report", seconds: 20, interval: 0.2) { try model(id)["reported_at"]?.stringValue != reportedBefore }
        _ = try waitFor(id, state: "healthy")
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(try containers(of: id), before, "one container, not two")
        XCTAssertEqual(try model(id)["restarts"], 0)
    }

    func testAModelThatNeverAnswersPingFailsWithItsLogLines() throws {
        let id = try register("silent-\(UUID().uuidString.prefix(6).lowercased())", environment: ["TEST_NEVER_READY": "1"])
        let failed = try waitFor(id, state: "failed", seconds: 30)
        let message = failed["message"]?.stringValue ?? ""
        XCTAssertTrue(message.contains("did not answer GET /ping within its startup deadline of 4 s"), message)
        XCTAssertTrue(message.contains("contract-test model starting"), "the container's own log lines: \(message)")
        XCTAssertTrue(try containers(of: id).isEmpty, "a failed model leaves no container behind")
    }

    func testACrashingModelCrashLoopsIntoFailedWithItsLogs() throws {
        let id = try register("crashing-\(UUID().uuidString.prefix(6).lowercased())", environment: ["TEST_EXIT_AT_ONCE": "1"])
        let failed = try waitFor(id, state: "failed", seconds: 60)
        let message = failed["message"]?.stringValue ?? ""
        XCTAssertTrue(message.contains("crash-loops: 5 restarts within 10 minutes"), message)
        XCTAssertTrue(message.contains("exited with code 3"), message)
        XCTAssertTrue(message.contains("cannot load the weights"), message)
        XCTAssertEqual(failed["restarts"], 5)
        // Starting it again begins afresh.
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/start", token: adminToken()).status, 200)
        try Deadline.wait(for: "a fresh start", seconds: 20, interval: 0.2) { try model(id)["restarts"]?.integerValue ?? 99 < 5 }
    }

    /// The Models page in Chromium: the example model registered with what it predicts, started,
    /// healthy, a prediction through the form built from a molecule, stop, delete.
    func testTheModelsPageRegistersStartsAndAsksAModel() throws {
        try stack.buildExampleModel()
        let molecule = "Water for the model form \(UUID().uuidString.prefix(4))"
        XCTAssertEqual(try client.post("/api/v1/molecules", ["name": .string(molecule), "structure": ["format": "xyz",
            "text": "3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n"]], token: adminToken()).status, 201)
        let screenshots = DashboardTests.screenshots
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let output = try Shell.run("timeout 180 python3 '\(Shell.repository)/Tests/Dashboard/models_check.py' '\(stack.baseURL)' '\(stack.adminEmail)' "
                                   + "'\(stack.adminPassword)' '\(screenshots)' localhost/calcflow/example-energy:1 '\(molecule)'")
        XCTAssertTrue(output.contains("models check passed"), output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(screenshots)/models-prediction-admin.png"))
    }

    func testInvocationsPassThroughTheProxyUnchangedAndAreRecorded() throws {
        let name = "invoked-\(UUID().uuidString.prefix(6).lowercased())"
        let id = try register(name)
        _ = try waitFor(id, state: "healthy")
        let user = try createUser(role: "user")
        let body = Array(#"{"inputs": [1, 2, 3.5]}"#.utf8)
        let answer = try client.send("POST", "/ml/\(name)/invocations", body: body, token: user.token,
                                     headers: [("Content-Type", "application/json"), ("Accept", "application/json"),
                                               ("X-Amzn-SageMaker-Custom-Attributes", "trace=1")])
        XCTAssertEqual(answer.status, 200, answer.description)
        XCTAssertEqual(answer.json["prediction"], 6.5)
        XCTAssertEqual(answer.header("Content-Type"), "application/json")
        // The container's own 400 comes back as it gave it, not as the API's envelope.
        let refused = try client.send("POST", "/api/v1/models/\(id)/invocations", body: Array("not json".utf8), token: user.token,
                                      headers: [("Content-Type", "application/json")])
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused.json["error"], "the input is not JSON")
        XCTAssertEqual(try client.send("POST", "/ml/\(name)/invocations", body: body).status, 401, "a JWT is needed")
        let records = try client.get("/api/v1/models/\(id)/invocations", token: user.token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(records.first?["status"], 400, "newest first")
        XCTAssertEqual(records.last?["input_sha256"]?.stringValue?.count, 64)
        XCTAssertEqual(records.last?["user"]?.stringValue, user.email)
        XCTAssertTrue(records.last?["image_digest"]?.stringValue?.isEmpty == false, records.last?.serializedString() ?? "")
        XCTAssertTrue(records.last?["response"]?.stringValue?.contains("6.5") == true)

        // The training export gives what the model was asked and what it answered.
        let exported = try client.get("/api/v1/export/invocations?model_id=\(id)", token: user.token)
        XCTAssertEqual(exported.status, 200, exported.description)
        let lines = exported.text.split(separator: "\n").compactMap { try? JSON.parse(Array($0.utf8)) }
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines.first?["input"]?.stringValue, #"{"inputs": [1, 2, 3.5]}"#, "oldest first, the input as sent")
        XCTAssertEqual(lines.last?["input"]?.stringValue, "not json")

        // Prometheus sees the invocations by status, their latency, and the model's state.
        let metrics = try client.get("/api/v1/metrics", token: adminToken()).text
        XCTAssertTrue(metrics.contains("calcflow_model_invocations_total{model=\"\(name)\",status=\"200\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("calcflow_model_invocations_total{model=\"\(name)\",status=\"400\"} 1"))
        XCTAssertTrue(metrics.contains("calcflow_model_invocation_duration_seconds_count{model=\"\(name)\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("calcflow_model_state{model=\"\(name)\",state=\"healthy\"} 1"))
        XCTAssertTrue(metrics.contains("calcflow_model_restarts{model=\"\(name)\"} 0"))

        // Records are written in batches after the answer: a burst from 8 threads is recorded once each.
        let burst = 8 * 40
        let failures = Mutex(0)
        let certificate = stack.certificate, baseURL = stack.baseURL, token = user.token
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let threadClient = APIClient(baseURL: baseURL, certificate: certificate)
            for _ in 0..<(burst / 8) {
                if (try? threadClient.send("POST", "/ml/\(name)/invocations", body: body, token: token).status) != 200 {
                    failures.withLock { $0 += 1 }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, 0)
        var listed = 0, after = ""
        repeat {
            let page = try client.get("/api/v1/models/\(id)/invocations?limit=100\(after)", token: user.token).json
            listed += page["items"]?.arrayValue?.count ?? 0
            after = page["next_cursor"]?.stringValue.map { "&cursor=\($0)" } ?? ""
        } while !after.isEmpty
        XCTAssertEqual(listed, burst + 2)

        // A model that is stopping answers 503 at once, never a hang.
        XCTAssertEqual(try client.post("/api/v1/models/\(id)/stop", token: adminToken()).status, 200)
        let started = Date()
        let stopped = try client.send("POST", "/ml/\(name)/invocations", body: body, token: user.token)
        XCTAssertEqual(stopped.status, 503, stopped.description)
        XCTAssertEqual(stopped.errorCode, "unavailable")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testAPredictionStandsBesideTheComputedValueWithItsResidualAndTheModelsAccuracy() throws {
        let cluster = try makeCluster()
        let admin = try adminToken()
        let calculation = try succeededWater(on: cluster, named: "water sp", analysis: "total_energy", value: -137.97)

        let name = "predictor-\(UUID().uuidString.prefix(6).lowercased())"
        let model = try client.post("/api/v1/models", ["name": .string(name), "image": "localhost/calcflow/contract-test:1",
                                                       "predicts": ["analysis": "total_energy", "unit": "eV"]], token: admin)
        let modelID = try XCTUnwrap(model.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(modelID)/start", token: admin)
        _ = try waitFor(modelID, state: "healthy")
        let user = try createUser(role: "user")
        let asked = try client.post("/api/v1/calculations/\(calculation)/predictions", ["model_id": .integer(modelID)], token: user.token)
        XCTAssertEqual(asked.status, 201, asked.description)
        // The contract test model sums the input's "inputs": none here, so it predicts 0.
        XCTAssertEqual(asked.json["prediction"]?.doubleValue, 0)
        XCTAssertEqual(asked.json["computed"], -137.97)
        XCTAssertEqual(try XCTUnwrap(asked.json["residual"]?.doubleValue), 137.97, accuracy: 1e-9)
        let listed = try client.get("/api/v1/calculations/\(calculation)/predictions", token: user.token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(listed.first { $0["model_id"]?.integerValue == modelID }?["computed"], -137.97)
        let accuracy = try client.get("/api/v1/models/\(modelID)/accuracy", token: user.token).json
        XCTAssertEqual(accuracy["count"], 1)
        XCTAssertEqual(try XCTUnwrap(accuracy["mean_absolute_error"]?.doubleValue), 137.97, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(accuracy["bias"]?.doubleValue), 137.97, accuracy: 1e-9)
        XCTAssertEqual(accuracy["by_engine"]?["xtb"]?["count"], 1)
        let invocations = try client.get("/api/v1/models/\(modelID)/invocations", token: admin).json["items"]?.arrayValue ?? []
        XCTAssertEqual(invocations.count, 1, "a prediction is an invocation, recorded as one")

        // auto_predict: the model predicts succeeded calculations by itself.
        XCTAssertEqual(try client.patch("/api/v1/models/\(modelID)", ["auto_predict": true], token: admin).status, 200)
        let second = try succeededWater(on: cluster, named: "water again", analysis: "total_energy", value: -137.0)
        try Deadline.wait(for: "the automatic prediction", seconds: 20, interval: 0.3) {
            try client.get("/api/v1/calculations/\(second)/predictions", token: admin).json["items"]?.arrayValue?
                .first { $0["model_id"]?.integerValue == modelID }?["prediction"]?.doubleValue == 0
        }
        XCTAssertEqual(try client.get("/api/v1/models/\(modelID)/accuracy", token: admin).json["count"], 2)
    }

    /// An xtb water calculation on `cluster`, claimed by its agent, which puts `value` as its `analysis`
    /// and reports it succeeded, as an agent does: what a prediction stands beside. Its id.
    private func succeededWater(on cluster: TestCluster, named name: String, analysis: String, value: Double) throws -> Int64 {
        let created = try client.post("/api/v1/calculations", ["name": .string(name), "cluster_id": .integer(cluster.id), "engine": "xtb",
                                                               "analyses": ["scf", .string(analysis)],
                                                               "configuration": ["structure": ["format": "xyz", "text": "3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n"], "task": "sp"]],
                                      token: adminToken())
        let id = try XCTUnwrap(created.json["id"]?.integerValue, created.description)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/\(analysis)",
                                       body: (["step": "main", "data": ["value": .number(value), "unit": "eV"]] as JSON).serialized(), token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        return id
    }

    /// A campaign finishes calculations faster than rounds come: a backlog of several pages (20 each) is
    /// predicted in one round, not a page per round (which left the example model 4 a second behind).
    func testABacklogOfSeveralPagesIsPredictedInOneRound() throws {
        // An analysis of its own, so that the other tests' models and calculations do not meet these.
        let cluster = try makeCluster(engines: ["engines": [["name": "xtb", "version": "6.5.1", "analyses": [
            ["name": "scf", "requires": [], "description": "SCF convergence"],
            ["name": "backlog_energy", "requires": ["scf"], "description": "Total energy in eV"],
        ]]]])
        let admin = try adminToken()
        let waiting = 50
        for index in 0..<waiting {
            _ = try succeededWater(on: cluster, named: "backlog \(index)", analysis: "backlog_energy", value: -137.0 - Double(index))
        }
        let model = try client.post("/api/v1/models", ["name": "backlog-predictor", "image": "localhost/calcflow/contract-test:1", "auto_predict": true,
                                                       "predicts": ["analysis": "backlog_energy", "unit": "eV"]], token: admin)
        let modelID = try XCTUnwrap(model.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(modelID)/start", token: admin)
        _ = try waitFor(modelID, state: "healthy")
        func predicted() throws -> Int64 { try client.get("/api/v1/models/\(modelID)/accuracy", token: admin).json["count"]?.integerValue ?? 0 }
        try Deadline.wait(for: "the first round of automatic predictions", seconds: 15, interval: 0.1) { try predicted() > 0 }
        // The next round is 5 s away: whatever is predicted within 2 s of the first was the same round.
        try Deadline.wait(for: "all \(waiting) predicted in that round", seconds: 2, interval: 0.1) { try predicted() >= Int64(waiting) }
        XCTAssertEqual(try predicted(), Int64(waiting), "each calculation once")
        let invocations = try client.get("/api/v1/models/\(modelID)/invocations?limit=500", token: admin).json["items"]?.arrayValue ?? []
        XCTAssertEqual(invocations.count, waiting, "each prediction is a recorded invocation")
        XCTAssertTrue(invocations.allSatisfy { $0["status"]?.integerValue == 200 }, "no failed invocation: \(invocations.prefix(3))")
    }

    /// After a complete round, the next ones look only at calculations finished since: one created
    /// before the others but finished after that round (a long run in a campaign) is still predicted.
    func testACalculationCreatedEarlyAndFinishedLateIsStillPredicted() throws {
        // An analysis of its own, so that the other tests' models and calculations do not meet these.
        let cluster = try makeCluster(engines: ["engines": [["name": "xtb", "version": "6.5.1", "analyses": [
            ["name": "scf", "requires": [], "description": "SCF convergence"],
            ["name": "late_energy", "requires": ["scf"], "description": "Total energy in eV"],
        ]]]])
        let admin = try adminToken()
        let early = try XCTUnwrap(try client.post("/api/v1/calculations", ["name": "long run", "cluster_id": .integer(cluster.id), "engine": "xtb",
                                                                           "analyses": ["scf", "late_energy"],
                                                                           "configuration": ["structure": ["format": "xyz", "text": "3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n"]]],
                                                  token: admin).json["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, early)
        let prompt = try succeededWater(on: cluster, named: "short run", analysis: "late_energy", value: -137.0)
        XCTAssertGreaterThan(prompt, early)
        let model = try client.post("/api/v1/models", ["name": "late-predictor", "image": "localhost/calcflow/contract-test:1", "auto_predict": true,
                                                       "predicts": ["analysis": "late_energy", "unit": "eV"]], token: admin)
        let modelID = try XCTUnwrap(model.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(modelID)/start", token: admin)
        _ = try waitFor(modelID, state: "healthy")
        func predicted(_ id: Int64) throws -> Bool {
            try client.get("/api/v1/calculations/\(id)/predictions", token: admin).json["items"]?.arrayValue?.contains { $0["model_id"]?.integerValue == modelID && $0["prediction"]?.doubleValue != nil } ?? false
        }
        try Deadline.wait(for: "the short run's prediction", seconds: 15, interval: 0.2) { try predicted(prompt) }
        // That round found nothing more: the next ones (5 s apart) look only at what finished since.
        Thread.sleep(forTimeInterval: 6)
        XCTAssertFalse(try predicted(early), "still running: nothing to predict")
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(early)/analyses/late_energy",
                                       body: (["step": "main", "data": ["value": -140.0, "unit": "eV"]] as JSON).serialized(), token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: early, seq: 1, state: "succeeded").status, 204)
        try Deadline.wait(for: "the long run's prediction", seconds: 15, interval: 0.2) { try predicted(early) }
        XCTAssertEqual(try client.get("/api/v1/models/\(modelID)/accuracy", token: admin).json["count"], 2, "each once")
    }

    func testTheExampleModelTrainedOnXTBEnergiesPredictsWater() throws {
        try stack.buildExampleModel()
        let created = try client.post("/api/v1/models", ["name": "example-energy", "image": "localhost/calcflow/example-energy:1",
                                                         "predicts": ["analysis": "total_energy", "unit": "eV"]], token: adminToken())
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(id)/start", token: adminToken())
        _ = try waitFor(id, state: "healthy")
        let user = try createUser(role: "user")
        let water = try client.send("POST", "/ml/example-energy/invocations", body: Array(#"{"formula": "H2O"}"#.utf8), token: user.token,
                                    headers: [("Content-Type", "application/json")])
        XCTAssertEqual(water.status, 200, water.description)
        // xtb's GFN2 water is -137.97 eV; a per-element fit over nine small molecules lands within a volt.
        XCTAssertEqual(try XCTUnwrap(water.json["prediction"]?.doubleValue), -137.97, accuracy: 1.0)
        let methane: JSON = ["molecule": ["structure": ["format": "xyz", "text": "5\n\nC 0 0 0\nH 0.63 0.63 0.63\nH -0.63 -0.63 0.63\nH -0.63 0.63 -0.63\nH 0.63 -0.63 -0.63\n"]]]
        let xyz = try client.send("POST", "/ml/example-energy/invocations", body: methane.serialized(), token: user.token)
        XCTAssertEqual(xyz.status, 200, xyz.description)
        XCTAssertLessThan(try XCTUnwrap(xyz.json["prediction"]?.doubleValue), -100, "methane from its xyz")
        let unknown = try client.send("POST", "/ml/example-energy/invocations", body: Array(#"{"formula": "UF6"}"#.utf8), token: user.token)
        XCTAssertEqual(unknown.status, 400, "the model's own refusal passes through")
        XCTAssertTrue(unknown.json["error"]?.stringValue?.contains("not trained on F, U") == true, unknown.description)
    }

    /// The whole of it: a real xtb water single point run by the real agent, then the example model's
    /// prediction of it (automatic), the residual and the accuracy figure.
    func testTheExampleModelPredictsAnXTBCalculationTheAgentRan() throws {
        try stack.buildExampleModel()
        let admin = try adminToken()
        let created = try client.post("/api/v1/models", ["name": "energy-auto", "image": "localhost/calcflow/example-energy:1", "auto_predict": true,
                                                         "predicts": ["analysis": "total_energy", "unit": "eV", "engine": "xtb"]], token: admin)
        let modelID = try XCTUnwrap(created.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(modelID)/start", token: admin)
        _ = try waitFor(modelID, state: "healthy")

        let cluster = try makeCluster()
        let agent = try launchAgent(key: cluster.key, clusterID: cluster.id, workRoot: stack.directory + "/agent-work")
        defer { agent.terminate(); agent.waitUntilExit() }

        let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"
        let molecule = try XCTUnwrap(try client.post("/api/v1/molecules", ["name": "water", "structure": ["format": "xyz", "text": .string(water)]],
                                                     token: admin).json["id"]?.integerValue)
        let user = try createUser(role: "user")
        var calculation: Int64 = 0
        try Deadline.wait(for: "the agent's engines in the catalog", seconds: 20, interval: 0.3) {
            let response = try client.post("/api/v1/calculations", ["name": "water sp", "cluster_id": .integer(cluster.id), "engine": "xtb",
                                                                    "molecule_id": .integer(molecule), "analyses": ["scf", "total_energy"],
                                                                    "configuration": ["task": "sp"]], token: user.token)
            calculation = response.json["id"]?.integerValue ?? 0
            return response.status == 201
        }
        var prediction: JSON = .null
        try Deadline.wait(for: "the run and its automatic prediction", seconds: 60, interval: 0.3) {
            prediction = try client.get("/api/v1/calculations/\(calculation)/predictions", token: user.token).json["items"]?.arrayValue?
                .first { $0["model_id"]?.integerValue == modelID } ?? .null
            return prediction["prediction"]?.doubleValue != nil
        }
        let computed = try XCTUnwrap(prediction["computed"]?.doubleValue)
        XCTAssertEqual(computed, -5.0704 * 27.211386, accuracy: 0.01, "xtb's own energy, computed by the agent")
        let predicted = try XCTUnwrap(prediction["prediction"]?.doubleValue)
        XCTAssertEqual(try XCTUnwrap(prediction["residual"]?.doubleValue), predicted - computed, accuracy: 1e-9)
        XCTAssertLessThan(abs(predicted - computed), 1.0)
        let accuracy = try client.get("/api/v1/models/\(modelID)/accuracy", token: user.token).json
        // Every succeeded xtb calculation of this stack with an energy counts (auto_predict took the earlier tests' too).
        let count = try XCTUnwrap(accuracy["count"]?.integerValue)
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertEqual(accuracy["by_engine"]?["xtb"]?["count"]?.integerValue, count)
        XCTAssertGreaterThan(try XCTUnwrap(accuracy["mean_absolute_error"]?.doubleValue), 0)
    }

    func testAMissingImageIsTheModelsErrorNotAPull() throws {
        let created = try client.post("/api/v1/models", ["name": "missing-image", "image": "localhost/calcflow/not-built:1"], token: adminToken())
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        _ = try client.post("/api/v1/models/\(id)/start", token: adminToken())
        let failed = try waitFor(id, state: "failed")
        XCTAssertTrue(failed["message"]?.stringValue?.hasPrefix("image not found on the engine: localhost/calcflow/not-built:1") == true,
                      failed.serializedString())
    }
}

/// A plain GET with libcurl, for a container's own endpoint.
enum HTTPTestRequest {
    static func get(_ url: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int(text) ?? 0
    }
}
