import CalcflowTestSupport
import ChildProcesses
import Foundation
import XCTest

final class ChildProcessTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("child-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func testAProcessReadsItsInputFileAndWritesItsStreamsToFilesInItsFolder() throws {
        try "2 3\n".write(toFile: path("in.txt"), atomically: true, encoding: .utf8)
        let process = ChildProcess(executable: "/bin/sh", arguments: ["-c", "read a b; echo $((a + b)); echo \"$GREETING\" >&2; pwd > where.txt; exit 7"],
                                   workingDirectory: folder.path, environment: ["GREETING": "hello there"], standardInput: path("in.txt"),
                                   standardOutput: .file(path("out.txt")), standardError: .file(path("err.txt")))
        XCTAssertEqual(try process.run(), 7)
        XCTAssertEqual(try String(contentsOfFile: path("out.txt"), encoding: .utf8), "5\n")
        XCTAssertEqual(try String(contentsOfFile: path("err.txt"), encoding: .utf8), "hello there\n")
        XCTAssertEqual(try String(contentsOfFile: path("where.txt"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                       folder.resolvingSymlinksInPath().path)
    }

    func testOutputCollectsBothStreamsAndTheStatus() throws {
        let (status, output) = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 3"]).output()
        XCTAssertEqual(status, 3)
        XCTAssertTrue(output.contains("out") && output.contains("err"), output)
    }

    func testAMissingExecutableIsATypedErrorNotAnExitCode() {
        XCTAssertThrowsError(try ChildProcess(executable: "/nonexistent/pw.x").run()) { error in
            XCTAssertEqual((error as? ChildProcessError)?.code, .cannotStart)
        }
        XCTAssertThrowsError(try ChildProcess(executable: "/bin/true", standardOutput: .file("/nonexistent/folder/out.txt")).run()) { error in
            XCTAssertEqual((error as? ChildProcessError)?.code, .cannotOpen)
        }
    }

    /// A step's engine may start children of its own (MPI ranks): a cancel must stop them all.
    func testSignallingTheGroupStopsTheLeaderAndItsChildren() throws {
        let leader = Ledger<Int32>()
        let process = ChildProcess(executable: "/bin/sh", arguments: ["-c", "sleep 60 & echo $! > child.pid; wait"], workingDirectory: folder.path)
        let finished = expectation(description: "the group ended")
        let status = Ledger<Int32>()
        Thread.detachNewThread {
            let code = try? process.run { leader.record($0) }
            status.record(code ?? -1)
            finished.fulfill()
        }
        let deadline = Date(timeIntervalSinceNow: 10)
        while (leader.all.isEmpty || !FileManager.default.fileExists(atPath: path("child.pid"))) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.1)
        let child = try XCTUnwrap(Int32(String(contentsOfFile: path("child.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let leaderID = try XCTUnwrap(leader.all.first)
        XCTAssertTrue(ProcessGroup.exists(child))
        XCTAssertTrue(ProcessGroup.signal(.terminate, leader: leaderID))
        wait(for: [finished], timeout: 10)
        XCTAssertEqual(status.all, [128 + 15], "a shell ended by SIGTERM")
        let gone = Date(timeIntervalSinceNow: 5)
        while ProcessGroup.exists(child) && Date() < gone { Thread.sleep(forTimeInterval: 0.02) }
        XCTAssertFalse(ProcessGroup.exists(child), "the grandchild was in the group and got the signal too")
        XCTAssertFalse(ProcessGroup.signal(.kill, leader: leaderID), "no group is left to signal")
    }
}
