@testable import CalcflowAgent
import Foundation
import XCTest

/// Event numbers go on increasing across an agent's restarts, and a spool written from many
/// calculations at once keeps every update.
final class EventCounterTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-counter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testARestartedCountGoesOnPastWhatAPowerLossCouldHaveLost() {
        let first = EventCounter(folder: folder)
        XCTAssertEqual((0..<3).map { _ in first.next() }, [1, 2, 3])
        let resumed = EventCounter(folder: folder)
        XCTAssertEqual(resumed.next(), 3 + EventCounter.resumeGap + 1, "never a number used before")
        XCTAssertEqual(EventCounter(folder: folder).next(), 3 + 2 * EventCounter.resumeGap + 2)
    }

    func testAHalfWrittenLastLineIsIgnored() throws {
        try "1\n2\n3\n4".write(to: folder.appendingPathComponent(EventCounter.name), atomically: true, encoding: .utf8)
        XCTAssertEqual(EventCounter(folder: folder).next(), 4 + EventCounter.resumeGap + 1)
    }

    func testSixteenCalculationsAppendingAtOnceLoseNothingAndKeepTheirOrder() throws {
        let spool = try UpdateSpool(directory: folder.path)
        DispatchQueue.concurrentPerform(iterations: 16) { calculation in
            for seq in 1...25 {
                try? spool.append(UpdateSpool.Update(method: "POST", path: "/agent/calculations/\(calculation)/events", body: ["seq": .integer(Int64(seq))]))
            }
        }
        let pending = spool.pending()
        XCTAssertEqual(pending.count, 400)
        for calculation in 0..<16 {
            let seqs = pending.filter { $0.update.path == "/agent/calculations/\(calculation)/events" }.compactMap { $0.update.body["seq"]?.integerValue }
            XCTAssertEqual(seqs, Array(1...25), "calculation \(calculation)'s updates, in order")
        }
    }
}
