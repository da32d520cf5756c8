import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// What the cluster tests need over and over: a cluster with a key, its capabilities, calculations.
extension StackTestCase {
    struct TestCluster {
        var id: Int64
        var name: String
        var key: String
    }

    /// The real calcflow-agent for a cluster's key, polling every second, its log under the stack's logs.
    func launchAgent(key: String, clusterID: Int64, workRoot: String, settings: String = "", environment: [String: String] = [:]) throws -> Process {
        let config = stack.directory + "/agent-\(clusterID).conf"
        try ("""
            api_url = \(stack.baseURL)
            key = \(key)
            ca_file = \(stack.certificate)
            work_root = \(workRoot)
            heartbeat_interval = 1
            claim_interval = 1

            """ + settings).write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestStack.binaries + "/calcflow-agent")
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }.merging(environment) { _, new in new }
        let log = stack.directory + "/logs/agent-\(clusterID).log"
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil), "the agent's log file")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    func makeCluster(requiresApproval: Bool = false, maxRunning: Int64 = 0, engines: JSON? = nil) throws -> TestCluster {
        let admin = try adminToken()
        let name = "hpc-\(UUID().uuidString.prefix(8).lowercased())"
        let created = try client.post("/api/v1/clusters", ["name": .string(name), "description": "test cluster",
                                                           "requires_approval": .bool(requiresApproval), "max_running": .integer(maxRunning)], token: admin)
        XCTAssertEqual(created.status, 201, created.description)
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        let key = try client.post("/api/v1/clusters/\(id)/keys", ["label": "agent"], token: admin)
        XCTAssertEqual(key.status, 201, key.description)
        let cluster = TestCluster(id: id, name: name, key: try XCTUnwrap(key.json["key"]?.stringValue))
        let capabilities = try client.send("PUT", "/api/v1/agent/capabilities", body: (engines ?? Self.standardEngines).serialized(), token: cluster.key)
        XCTAssertEqual(capabilities.status, 204, capabilities.description)
        return cluster
    }

    static let standardEngines: JSON = ["engines": [
        ["name": "qe", "version": "6.7", "analyses": [
            ["name": "scf", "requires": [], "description": "SCF convergence"],
            ["name": "total_energy", "requires": ["scf"], "description": "Total energy in eV"],
            ["name": "bands", "requires": ["scf"], "description": "Band structure"],
        ]],
        ["name": "xtb", "version": "6.5.1", "analyses": [
            ["name": "scf", "requires": []], ["name": "total_energy", "requires": ["scf"]],
        ]],
    ]]

    static let siliconInput = """
        &CONTROL
          calculation = 'scf'
          prefix = 'si'
        /
        &SYSTEM
          ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0
        /
        &ELECTRONS
        /
        ATOMIC_SPECIES
         Si 28.086 Si.pz-vbc.UPF
        ATOMIC_POSITIONS alat
         Si 0.00 0.00 0.00
         Si 0.25 0.25 0.25
        K_POINTS automatic
         4 4 4 1 1 1
        """

    func calculationBody(cluster: TestCluster, name: String = "Si SCF", priority: Int64 = 0, analyses: [String] = ["scf", "total_energy"]) -> JSON {
        [
            "name": .string(name), "cluster_id": .integer(cluster.id), "engine": "qe", "priority": .integer(priority),
            "configuration": ["input": .string(Self.siliconInput), "pseudopotentials": ["Si.pz-vbc.UPF"]],
            "analyses": .array(analyses.map(JSON.string)),
        ]
    }

    func createCalculation(cluster: TestCluster, token: String? = nil, name: String = "Si SCF", priority: Int64 = 0) throws -> JSON {
        let response = try client.post("/api/v1/calculations", calculationBody(cluster: cluster, name: name, priority: priority), token: token ?? adminToken())
        XCTAssertEqual(response.status, 201, response.description)
        return response.json
    }

    func heartbeat(_ cluster: TestCluster, running: [Int64] = []) throws -> TestResponse {
        try client.post("/api/v1/agent/heartbeat", [
            "cpu_percent": 12.5, "load_1m": 0.4, "memory_used_bytes": 1_000_000, "memory_total_bytes": 8_000_000,
            "disk_free_bytes": 50_000_000, "disk_total_bytes": 100_000_000, "running": .array(running.map(JSON.integer)), "agent_version": "test-1",
        ], token: cluster.key)
    }

    func event(_ cluster: TestCluster, calculation id: Int64, seq: Int64, state: String? = nil, message: String = "step done") throws -> TestResponse {
        var body: [String: JSON] = ["seq": .integer(seq), "level": state == "failed" ? "ERROR" : "INFO", "message": .string(message)]
        if let state { body["state"] = .string(state) }
        return try client.post("/api/v1/agent/calculations/\(id)/events", .object(body), token: cluster.key)
    }
}
