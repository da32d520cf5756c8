import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Whole workflows in real Chromium against the stack and a real agent (xtb, pw.x):
/// Tests/Dashboard/workflow_check.py. When the admin issues a key for a new cluster in the browser, a
/// second agent is started with it, and the page's connect check must turn green.
final class DashboardWorkflowTests: StackTestCase {
    /// Pages of running calculations follow them live: three people in three browsers need the slots.
    override class var settings: [String: String] { ["stream_threads": "12", "stream_poll_ms": "200"] }

    func testScientistsModeratorsAndAdminsWorkThroughTheDashboard() throws {
        let cluster = try makeCluster()
        let agent = try launchAgent(key: cluster.key, clusterID: cluster.id, workRoot: stack.directory + "/agent-work")
        defer { agent.terminate(); agent.waitUntilExit() }
        try Deadline.wait(for: "the agent's engines", seconds: 20) {
            let catalog = try client.get("/api/v1/analyses", token: adminToken()).json["items"]?.arrayValue ?? []
            return catalog.contains { $0["engine"] == "qe" && $0["clusters"]?.arrayValue?.contains { $0["cluster"] == .string(cluster.name) } == true }
        }
        let screenshots = DashboardTests.screenshots
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let keyFile = stack.directory + "/second-agent.key"
        let output = stack.directory + "/logs/workflow-check.log"
        XCTAssertTrue(FileManager.default.createFile(atPath: output, contents: nil))
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        script.arguments = ["600", "python3", Shell.repository + "/Tests/Dashboard/workflow_check.py", stack.baseURL, stack.adminEmail, stack.adminPassword,
                            screenshots, cluster.name, keyFile]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        script.standardOutput = handle
        script.standardError = handle
        try script.run()

        // The key the admin issued in the browser starts the second agent, as a sysadmin would.
        var second: Process?
        defer { second?.terminate(); second?.waitUntilExit() }
        while script.isRunning {
            if second == nil, let key = try? String(contentsOfFile: keyFile, encoding: .utf8), key.hasPrefix("ck_") {
                second = try launchAgent(key: key, clusterID: 1_000_000 + cluster.id, workRoot: stack.directory + "/second-agent-work")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        XCTAssertEqual(script.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("workflow check passed"), log)
        XCTAssertNotNil(second, "the browser issued a key")
        for name in ["workflow-xtb-user", "workflow-sweep-user", "workflow-compare-user", "workflow-connect-admin"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(screenshots)/\(name).png"), "screenshot \(name)")
        }
    }
}
