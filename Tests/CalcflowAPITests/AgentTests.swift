import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// The real agent, with real xtb and pw.x, against the real API: claim, run, validate, extract, clean up.
class AgentTests: StackTestCase {
    override class var settings: [String: String] { ["maintenance_interval_ms": "500", "mail_poll_ms": "200"] }
    override class var smtpSink: Bool { true }
    var agent: Process?
    var cluster: TestCluster!
    var workRoot: String { stack.directory + "/agent-work" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cluster = try makeCluster()
        try startAgent()
        // The agent replaces the test catalog with what it found installed.
        try Deadline.wait(for: "the agent's capabilities", seconds: 20) {
            let catalog = try client.get("/api/v1/analyses", token: adminToken()).json["items"]?.arrayValue ?? []
            return catalog.contains { $0["engine"] == "command" }
        }
    }

    override func tearDownWithError() throws {
        agent?.terminate()
        agent?.waitUntilExit()
        try super.tearDownWithError()
    }

    /// More lines of the agent's config (the Slurm tests choose their executor here).
    var agentSettings: String { "" }
    var agentEnvironment: [String: String] { [:] }

    func startAgent() throws {
        agent = try launchAgent(key: cluster.key, clusterID: cluster.id, workRoot: workRoot,
                                settings: "max_parallel = 2\nallow_command = true\n" + agentSettings, environment: agentEnvironment)
    }

    static let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"

    func submit(_ body: [String: JSON]) throws -> Int64 {
        var body = body
        body["cluster_id"] = .integer(cluster.id)
        let created = try client.post("/api/v1/calculations", .object(body), token: adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        return try XCTUnwrap(created.json["id"]?.integerValue)
    }

    func finished(_ id: Int64, seconds: Double = 60) throws -> JSON {
        var calculation: JSON = .null
        try Deadline.wait(for: "calculation \(id) to finish", seconds: seconds, interval: 0.2) {
            calculation = try client.get("/api/v1/calculations/\(id)", token: adminToken()).json
            return ["succeeded", "failed", "not_converged", "cancelled"].contains(calculation["state"]?.stringValue ?? "")
        }
        return calculation
    }

    func analysis(_ id: Int64, _ name: String) throws -> JSON? {
        try client.get("/api/v1/calculations/\(id)/analyses/\(name)", token: adminToken()).json["items"]?.arrayValue?.first?["data"]
    }

    func testAnXTBSinglePointSucceedsWithItsEnergyAndItsProvenance() throws {
        let id = try submit(["name": "Water single point", "engine": "xtb", "analyses": ["scf", "total_energy"],
                             "configuration": ["structure": ["format": "xyz", "text": .string(Self.water)], "task": "sp"]])
        let calculation = try finished(id)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let energy = try XCTUnwrap(analysis(id, "total_energy")?["value"]?.doubleValue)
        XCTAssertEqual(energy, -5.0704 * 27.211386, accuracy: 0.01, "eV")
        XCTAssertEqual(try analysis(id, "scf")?["converged"], true)
        let provenance = try XCTUnwrap(analysis(id, "provenance"))
        XCTAssertTrue(provenance["code_version"]?.stringValue?.contains("6.5.1") == true)
        XCTAssertEqual(provenance["files_sha256"]?["structure.xyz"]?.stringValue?.count, 64)
        // The large raw outputs are deleted after extraction; the inputs and the output text stay.
        let folder = try XCTUnwrap(FileManager.default.enumerator(atPath: workRoot)?.compactMap { $0 as? String }.first { $0.hasSuffix("\(id)-water-single-point/main") })
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(workRoot)/\(folder)/xtbrestart"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(workRoot)/\(folder)/structure.xyz"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(workRoot)/\(folder)/stdout.txt"))
    }

    func testAFailedXTBOptimisationIsNotConvergedThoughXTBExitsZero() throws {
        let id = try submit(["name": "Water opt, one cycle", "engine": "xtb", "analyses": ["scf", "total_energy"],
                             "configuration": ["structure": ["format": "xyz", "text": .string(Self.water)], "task": "opt", "cycles": 1]])
        let calculation = try finished(id)
        XCTAssertEqual(calculation["state"], "not_converged", calculation.serializedString())
        XCTAssertTrue(calculation["reason"]?.stringValue?.contains("geometry optimisation did not converge") == true)
    }

    static let silicon = """
        &CONTROL
          calculation = 'scf'
          prefix = 'si'
        /
        &SYSTEM
          ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = {{cutoff}}
        /
        &ELECTRONS
          electron_maxstep = {{maxstep}}
        /
        ATOMIC_SPECIES
         Si 28.086 Si.pz-vbc.UPF
        ATOMIC_POSITIONS alat
         Si 0.00 0.00 0.00
         Si 0.25 0.25 0.25
        K_POINTS automatic
         4 4 4 1 1 1
        """

    func testAQuantumEspressoSCFSucceedsAndAForcedShortOneIsNotConverged() throws {
        let good = try submit(["name": "Si SCF", "engine": "qe", "analyses": ["scf", "total_energy", "fermi_energy"],
                               "configuration": ["input": .string(Self.silicon), "pseudopotentials": ["Si.pz-vbc.UPF"]],
                               "steps": [["name": "scf", "parameters": ["cutoff": 18, "maxstep": 100]]]])
        let short = try submit(["name": "Si SCF, two iterations", "engine": "qe", "analyses": ["scf", "total_energy"],
                                "configuration": ["input": .string(Self.silicon), "pseudopotentials": ["Si.pz-vbc.UPF"]],
                                "steps": [["name": "scf", "parameters": ["cutoff": 18, "maxstep": 2]]]])
        let converged = try finished(good, seconds: 120)
        XCTAssertEqual(converged["state"], "succeeded", converged.serializedString())
        XCTAssertEqual(try XCTUnwrap(analysis(good, "total_energy")?["value"]?.doubleValue), -15.8445 * 13.605693, accuracy: 0.01)
        XCTAssertNotNil(try analysis(good, "fermi_energy")?["value"]?.doubleValue)
        let notConverged = try finished(short, seconds: 120)
        XCTAssertEqual(notConverged["state"], "not_converged", notConverged.serializedString())
        XCTAssertNil(try analysis(short, "total_energy"), "no energy from a non-converged SCF")
        // The whole path: agent → API → MariaDB → outbox → SMTP.
        try Deadline.wait(for: "the mails about both", seconds: 30) {
            // Alone, or in a digest when other tests' mails to the admin piled up.
            let mails = stack.receivedMails().filter { $0.contains("To: \(stack.adminEmail)") }.map { $0 + SMTPSink.decodedBodies($0) }
            return mails.contains { $0.contains("Si SCF (#\(good)) succeeded") } && mails.contains { $0.contains("(#\(short)) did not converge") }
        }
    }

    func testACalculationWithNoAnalysisIsStillRunValidatedAndTracked() throws {
        let id = try submit(["name": "No analysis", "engine": "command", "analyses": [], "configuration": ["script": "echo $((2 + 3)) > result.txt\n"]])
        let calculation = try finished(id)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(events.contains { $0["state"] == "succeeded" }, "its state changes are kept as events")
        XCTAssertNil(try analysis(id, "exit_status"), "no analysis was asked for, so none is stored")
    }

    /// The CPU time a step used is measured around its command, children included, and summed per
    /// cluster by `GET /usage` for the Analyses page's CPU-hours.
    func testAStepsCPUTimeIsRecordedAndSummedInTheUsage() throws {
        let id = try submit(["name": "Busy loop", "engine": "command", "analyses": ["exit_status"],
                             "configuration": ["script": "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done'\n"]])
        let calculation = try finished(id)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let seconds = try XCTUnwrap(analysis(id, "provenance")?["cpu_seconds"]?.doubleValue)
        XCTAssertGreaterThan(seconds, 0.1, "a loop of 300,000 shell iterations in a grandchild")
        let usage = try client.get("/api/v1/usage", token: adminToken())
        let row = try XCTUnwrap(usage.json["by_cluster"]?.arrayValue?.first { $0["name"]?.stringValue == cluster.name })
        XCTAssertEqual(try XCTUnwrap(row["cpu_hours"]?.doubleValue) * 3600, seconds, accuracy: 0.01)
    }

    /// `allow_command` decides whether the agent offers the command engine; it is off by default.
    func testTheCommandEngineIsOfferedOnlyWhenTheConfigAllowsIt() throws {
        func check(_ extra: String) throws -> String {
            let config = stack.directory + "/agent-check-\(UUID().uuidString.prefix(6)).conf"
            try """
                api_url = \(stack.baseURL)
                key = \(cluster.key)
                ca_file = \(stack.certificate)
                work_root = \(workRoot)
                \(extra)

                """.write(toFile: config, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestStack.binaries + "/calcflow-agent")
            process.arguments = ["check", "--config", config]
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, text)
            return text
        }
        let byDefault = try check("")
        XCTAssertTrue(byDefault.contains("engines: qe, xtb") && !byDefault.contains("command"), byDefault)
        XCTAssertTrue(try check("allow_command = true").contains("engines: command, qe, xtb"))
        // check reported the capabilities: put the ones with command back for the other tests.
        _ = try check("allow_command = true")
    }

    func testARunningCalculationIsCancelledThroughTheHeartbeat() throws {
        let id = try submit(["name": "Long script", "engine": "command", "analyses": ["exit_status"],
                             "configuration": ["script": "echo started\nsleep 60\necho never\n"]])
        try Deadline.wait(for: "the script to start", seconds: 30, interval: 0.2) {
            let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
            return events.contains { $0["message"]?.stringValue?.contains("started: /bin/sh script.sh") == true }
        }
        let started = Date()
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/cancel", token: adminToken()).json["cancel_requested"], true)
        let calculation = try finished(id, seconds: 30)
        XCTAssertEqual(calculation["state"], "cancelled")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "long before the script's minute")
    }

    func testUpdatesWaitInTheSpoolWhileTheAPIIsDown() throws {
        let id = try submit(["name": "Survives an outage", "engine": "command", "analyses": ["exit_status"],
                             "configuration": ["script": "echo working\nsleep 4\necho done\n"]])
        try Deadline.wait(for: "the claim", seconds: 30, interval: 0.2) {
            try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"] == "running"
        }
        XCTAssertEqual(try stack.terminateAPI(), 0)
        Thread.sleep(forTimeInterval: 6)  // the script ends while the API is away
        try stack.restartAPI(settings: [:])
        let calculation = try finished(id, seconds: 30)
        XCTAssertEqual(calculation["state"], "succeeded")
        XCTAssertEqual(try analysis(id, "exit_status")?["tail"], ["working", "done"])
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(events.compactMap { $0["seq"]?.integerValue }, Array(1...Int64(events.count)), "every event, in order, once")

        // What waited went to the restarted API as batches, not as a request per update.
        let metrics = try client.get("/api/v1/metrics", token: adminToken()).text
        XCTAssertTrue(metrics.contains(#"calcflow_http_requests_total{route="/api/v1/agent/updates",status="200"}"#), metrics)
        XCTAssertFalse(metrics.contains(#"route="/api/v1/agent/calculations/{id}/events""#), metrics)
        XCTAssertFalse(metrics.contains(#"route="/api/v1/agent/calculations/{id}/analyses/{name}""#), metrics)
    }

    func testAnAgentKilledMidRunResumesAndNothingRunsTwice() throws {
        let id = try submit(["name": "Outlives its agent", "engine": "command", "analyses": ["exit_status"],
                             "configuration": ["script": "echo run >> runs.log\nsleep 3\necho finished\n"]])
        try Deadline.wait(for: "the script to start", seconds: 30, interval: 0.1) {
            let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
            return events.contains { $0["message"]?.stringValue?.contains("started: /bin/sh script.sh") == true }
        }
        let victim = try XCTUnwrap(agent)
        _ = try Shell.run("kill -KILL \(victim.processIdentifier)")
        victim.waitUntilExit()
        try startAgent()
        let calculation = try finished(id, seconds: 30)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertEqual(events.filter { $0["message"]?.stringValue?.contains("started: /bin/sh") == true }.count, 1, "the step ran once")
        XCTAssertTrue(events.contains { $0["message"]?.stringValue?.hasPrefix("resumed by") == true })
        XCTAssertEqual(try analysis(id, "exit_status")?["tail"], ["finished"])
        let runs = try XCTUnwrap(FileManager.default.enumerator(atPath: workRoot)?.compactMap { $0 as? String }.first { $0.hasSuffix("\(id)-outlives-its-agent/main/runs.log") })
        XCTAssertEqual(try String(contentsOfFile: "\(workRoot)/\(runs)", encoding: .utf8), "run\n")
    }

    static let siliconChain = """
        &CONTROL
          calculation = '{{calculation}}'
          prefix = 'si'
        /
        &SYSTEM
          ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0, nbnd = 8
        /
        &ELECTRONS
        /
        ATOMIC_SPECIES
         Si 28.086 Si.pz-vbc.UPF
        ATOMIC_POSITIONS alat
         Si 0.00 0.00 0.00
         Si 0.25 0.25 0.25
        K_POINTS {{kpoints}}
        """

    func testAQuantumEspressoSCFThenBandsChainCopiesTheSaveFolder() throws {
        let id = try submit(["name": "Si SCF then bands", "engine": "qe", "analyses": ["scf", "total_energy", "bands"],
                             "configuration": ["input": .string(Self.siliconChain), "pseudopotentials": ["Si.pz-vbc.UPF"]],
                             "steps": [
                                ["name": "scf", "parameters": ["calculation": "scf", "kpoints": "automatic\n 4 4 4 1 1 1"]],
                                ["name": "bands", "copy_from": "scf", "copy": ["out"],
                                 "parameters": ["calculation": "bands", "kpoints": "tpiba_b\n 3\n 0.5 0.5 0.5 5\n 0.0 0.0 0.0 5\n 1.0 0.0 0.0 1"]],
                             ]])
        let calculation = try finished(id, seconds: 120)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let results = try client.get("/api/v1/calculations/\(id)/analyses/bands", token: adminToken()).json["items"]?.arrayValue ?? []
        let bands = try XCTUnwrap(results.first { $0["step"] == "bands" }?["data"])
        XCTAssertEqual(bands["bands"]?.arrayValue?.count, 8, "nbnd bands")
        XCTAssertEqual(bands["kpoints"]?.arrayValue?.count, 11, "5 + 5 + 1 points along the path")
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(events.contains { $0["message"]?.stringValue == "copied out from step scf" })
        XCTAssertTrue(events.contains { $0["state"] == "succeeded" && $0["message"]?.stringValue?.contains("bytes of raw output deleted") == true },
                      "what cleaning freed is said in the final event")
    }

    func testANonConvergedSCFRestartsFromItsOwnFilesUntilItConverges() throws {
        let id = try submit(["name": "Si SCF in short bursts", "engine": "qe", "analyses": ["scf", "total_energy"],
                             "configuration": ["input": .string(Self.silicon), "pseudopotentials": ["Si.pz-vbc.UPF"], "max_restarts": 6],
                             "steps": [["name": "scf", "parameters": ["cutoff": 18, "maxstep": 2]]]])
        let calculation = try finished(id, seconds: 120)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        let restarts = events.filter { $0["message"]?.stringValue?.hasPrefix("restart ") == true }
        XCTAssertGreaterThanOrEqual(restarts.count, 1, "each restart is an event")
        XCTAssertLessThanOrEqual(restarts.count, 6)
        XCTAssertEqual(try XCTUnwrap(analysis(id, "total_energy")?["value"]?.doubleValue), -15.8445 * 13.605693, accuracy: 0.01)
    }
}
