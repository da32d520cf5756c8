@testable import CalcflowAgent
import CalcflowCore
import Foundation
import XCTest

/// A step's verdict as a restarted agent reads it back: each of the three stays what it was.
final class StepVerdictFileTests: XCTestCase {
    func testEveryVerdictSurvivesARestartAsItWas() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-verdict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertNil(StepVerdictFile.read(in: folder), "not reported yet")
        for verdict: Verdict in [.converged, .notConverged("the SCC did not converge"), .failed("exit code 3")] {
            try StepVerdictFile.write(verdict, in: folder)
            XCTAssertEqual(StepVerdictFile.read(in: folder), verdict)
            XCTAssertEqual(StepVerdictFile.read(in: folder)?.finalState, verdict.finalState)
        }
    }

    func testTheOlderPlainTextFileIsStillRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-verdict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "converged".write(to: folder.appendingPathComponent(StepVerdictFile.name), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepVerdictFile.read(in: folder), .converged)
        try "exit code 3".write(to: folder.appendingPathComponent(StepVerdictFile.name), atomically: true, encoding: .utf8)
        XCTAssertEqual(StepVerdictFile.read(in: folder), .failed("exit code 3"))
    }
}
