@testable import CalcflowAgent
import Foundation
import XCTest

/// The CPU time of a step as the shells around its command record it, run by run.
final class CPUTimeFileTests: XCTestCase {
    func testTheWrapperShellRecordsItsChildrensTimeAndRestartsAddUp() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-cpu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertNil(CPUTimeFile.seconds(in: folder), "nothing ran yet")
        let busy = "i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done"
        for _ in 0..<2 {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", ExitCodeFile.wrapper, "/bin/sh", "-c", busy]
            shell.currentDirectoryURL = folder
            try shell.run()
            shell.waitUntilExit()
            XCTAssertEqual(ExitCodeFile.read(in: folder), 0)
            try FileManager.default.removeItem(at: folder.appendingPathComponent("calcflow.exit"))
        }
        let lines = try String(contentsOf: folder.appendingPathComponent(CPUTimeFile.name), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4, "two lines per run")
        let first = try XCTUnwrap(lines[1].split(separator: " ").compactMap(CPUTimeFile.duration).reduce(0, +))
        let total = try XCTUnwrap(CPUTimeFile.seconds(in: folder))
        XCTAssertGreaterThan(first, 0.05)
        XCTAssertGreaterThan(total, first, "the second run adds its own")
    }

    func testDashAndBashFormatsAreRead() {
        XCTAssertEqual(CPUTimeFile.duration("1m2.500000s"), 62.5)
        XCTAssertEqual(CPUTimeFile.duration("0m0.040s"), 0.04)
        XCTAssertNil(CPUTimeFile.duration("2.5"))
        XCTAssertNil(CPUTimeFile.duration("m1s"))
    }
}
