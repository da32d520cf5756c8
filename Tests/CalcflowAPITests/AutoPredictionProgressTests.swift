import Foundation
import XCTest
@testable import CalcflowAPI

final class AutoPredictionProgressTests: XCTestCase {
    let key = "7/total_energy/sha256:abc"
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func testTheFirstRoundLooksAtEverythingAndTheNextOnlyFromWhereItBegan() {
        let progress = AutoPredictionProgress()
        XCTAssertNil(progress.roundStart(for: key, now: start))
        progress.completed(key, lookedFrom: nil, nextFrom: "2027-01-15 08:00:00.000000", now: start)
        XCTAssertEqual(progress.roundStart(for: key, now: start.addingTimeInterval(5)), "2027-01-15 08:00:00.000000")
    }

    func testEveryTenMinutesARoundLooksAtEverythingAgain() {
        let progress = AutoPredictionProgress()
        progress.completed(key, lookedFrom: nil, nextFrom: "2027-01-15 08:00:00.000000", now: start)
        // Rounds that looked from a time move it on, but not the time of the last full look.
        progress.completed(key, lookedFrom: "2027-01-15 08:00:00.000000", nextFrom: "2027-01-15 08:09:00.000000", now: start.addingTimeInterval(540))
        XCTAssertEqual(progress.roundStart(for: key, now: start.addingTimeInterval(599)), "2027-01-15 08:09:00.000000")
        XCTAssertNil(progress.roundStart(for: key, now: start.addingTimeInterval(600)), "a sweep is due")
        progress.completed(key, lookedFrom: nil, nextFrom: "2027-01-15 08:10:00.000000", now: start.addingTimeInterval(601))
        XCTAssertEqual(progress.roundStart(for: key, now: start.addingTimeInterval(1_100)), "2027-01-15 08:10:00.000000")
    }

    func testAModelThatStopsPredictingLooksAtEverythingWhenItComesBack() {
        let progress = AutoPredictionProgress()
        progress.completed(key, lookedFrom: nil, nextFrom: "2027-01-15 08:00:00.000000", now: start)
        progress.keep(only: ["8/total_energy/sha256:def"])
        XCTAssertNil(progress.roundStart(for: key, now: start.addingTimeInterval(5)))
    }
}
