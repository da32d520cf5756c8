@testable import CalcflowAgent
import CalcflowCore
import Foundation
import XCTest

/// A step's record as a restarted agent reads it back from the step's folder.
final class StepRecordFileTests: XCTestCase {
    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-step-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    func testEveryRecordSurvivesARestartAsItWas() throws {
        let folder = try folder()
        XCTAssertNil(StepRecordFile.read(in: folder), "nothing started yet")
        for record in [StepRecord(phase: .launching), StepRecord(phase: .exited, exitCode: 3),
                       StepRecord(phase: .restarting, restarts: 2, verdict: .notConverged("the SCC did not converge")),
                       StepRecord(phase: .finished, restarts: 1, exitCode: 0, verdict: .failed("exit code 3"))] {
            try StepRecordFile.write(record, in: folder)
            XCTAssertEqual(StepRecordFile.read(in: folder), record)
        }
    }

    /// Steps an older agent reported keep their verdict through an upgrade of the agent mid-campaign.
    func testAnOlderAgentsVerdictFileReadsAsAFinishedStep() throws {
        let folder = try folder()
        try #"{"verdict":"not_converged","reason":"scf"}"#.write(to: folder.appendingPathComponent(StepFiles.legacyVerdict), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepRecordFile.read(in: folder), StepRecord(phase: .finished, verdict: .notConverged("scf")))
        try "converged".write(to: folder.appendingPathComponent(StepFiles.legacyVerdict), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepRecordFile.read(in: folder)?.verdict, .converged)
        try "exit code 3".write(to: folder.appendingPathComponent(StepFiles.legacyVerdict), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepRecordFile.read(in: folder)?.verdict, .failed("exit code 3"))
    }

    func testTheTraceSaysWhatTheFolderShows() throws {
        let folder = try folder()
        XCTAssertEqual(StepFiles.trace(in: folder), StepLifecycle.Trace())
        try Data().write(to: folder.appendingPathComponent(StepFiles.submitting))
        XCTAssertEqual(StepFiles.trace(in: folder), StepLifecycle.Trace(started: true, launched: false))
        try "1234".write(to: folder.appendingPathComponent(StepFiles.jobID), atomically: true, encoding: .utf8)
        try "0\n".write(to: folder.appendingPathComponent(StepFiles.exitCode), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepFiles.trace(in: folder), StepLifecycle.Trace(exitCode: 0, started: true, launched: true))
    }
}

/// The heartbeat lists a calculation until the API has its end: the spool's final event says when.
final class EndedCalculationTests: XCTestCase {
    func testOnlyAFinalEventEndsACalculation() {
        let end = UpdateSpool.Update(method: "POST", path: "/agent/calculations/42/events", body: ["seq": 7, "state": "not_converged", "level": "ERROR", "message": "x"])
        XCTAssertEqual(Agent.endedCalculation(end), 42)
        let progress = UpdateSpool.Update(method: "POST", path: "/agent/calculations/42/events", body: ["seq": 3, "level": "INFO", "message": "step started"])
        XCTAssertNil(Agent.endedCalculation(progress))
        let running = UpdateSpool.Update(method: "POST", path: "/agent/calculations/42/events", body: ["seq": 1, "state": "running", "level": "INFO", "message": "x"])
        XCTAssertNil(Agent.endedCalculation(running))
        let analysis = UpdateSpool.Update(method: "PUT", path: "/agent/calculations/42/analyses/provenance", body: ["state": "succeeded"])
        XCTAssertNil(Agent.endedCalculation(analysis), "only events end a calculation")
    }
}
