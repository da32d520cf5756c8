import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// The agent with the Slurm executor, against a real single-node Slurm (slurmctld, slurmd, munge)
/// that the harness starts in the stack's folder.
final class SlurmAgentTests: AgentTests {
    nonisolated(unsafe) static var slurmConfiguration: String?

    override class func setUp() {
        super.setUp()
        guard let stack = stacks[ObjectIdentifier(self)] else { return }
        do {
            let port = 20_000 + Int.random(in: 0..<5_000) * 2
            let output = try Shell.run("start_slurm '\(stack.directory)/slurm' \(port)", environment: ["CALCFLOW_STATE_DIR": stack.directory])
            slurmConfiguration = output.split(separator: "\n").last.map(String.init)
        } catch {
            failures[ObjectIdentifier(self)] = "Slurm did not start: \(error)"
        }
    }

    override class func tearDown() {
        if let stack = stacks[ObjectIdentifier(self)] {
            _ = try? Shell.run("stop_slurm '\(stack.directory)/slurm'; SLURM_CONF='\(slurmConfiguration ?? "")' scancel --user=root 2>/dev/null; true",
                               environment: ["CALCFLOW_STATE_DIR": stack.directory])
        }
        super.tearDown()
    }

    override var agentSettings: String { "executor = slurm\nslurm_partition = debug\nslurm_options = --time=00:10:00\n" }
    override var agentEnvironment: [String: String] { ["SLURM_CONF": Self.slurmConfiguration ?? ""] }

    func testAStepRunsAsASlurmJobWithItsJobIDRecorded() throws {
        let id = try submit(["name": "Water through Slurm", "engine": "xtb", "analyses": ["scf", "total_energy"],
                             "configuration": ["structure": ["format": "xyz", "text": .string(Self.water)], "task": "sp"]])
        let calculation = try finished(id, seconds: 90)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let events = try client.get("/api/v1/calculations/\(id)/events", token: adminToken()).json["items"]?.arrayValue ?? []
        let submitted = try XCTUnwrap(events.first { $0["message"]?.stringValue?.hasPrefix("submitted to Slurm as job") == true })
        let jobID = try XCTUnwrap(submitted["message"]?.stringValue?.split(separator: " ").last.map(String.init))
        XCTAssertEqual(try analysis(id, "provenance")?["job_id"]?.stringValue, jobID)
        XCTAssertEqual(try analysis(id, "provenance")?["executor"], "slurm")
        XCTAssertNotNil(try analysis(id, "provenance")?["cpu_seconds"]?.doubleValue, "the job script records the CPU time too")
        XCTAssertEqual(try XCTUnwrap(analysis(id, "total_energy")?["value"]?.doubleValue), -5.0704 * 27.211386, accuracy: 0.01)
    }

    func testAFailingJobReportsItsExitCode() throws {
        let id = try submit(["name": "Exits three", "engine": "command", "analyses": ["exit_status"],
                             "configuration": ["script": "echo about to fail\nexit 3\n"]])
        let calculation = try finished(id, seconds: 90)
        XCTAssertEqual(calculation["state"], "failed")
        XCTAssertTrue(calculation["reason"]?.stringValue?.contains("exited with code 3") == true, calculation.serializedString())
    }

    // The inherited local-executor tests run here too, through Slurm: cancel (scancel), spool, kill -9 and resume.
}
