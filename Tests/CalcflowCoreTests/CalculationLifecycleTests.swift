import CalcflowCore
import XCTest

/// Every write of a calculation's state is decided here, whole: the state, the typed reason, the
/// timestamps, the cancel flag and the mail.
final class CalculationLifecycleTests: XCTestCase {
    func testAReportedEndFinishesAndMails() throws {
        var lifecycle = CalculationLifecycle(state: .running)
        let write = try XCTUnwrap(try lifecycle.report(.notConverged, reason: "the SCF did not converge"))
        XCTAssertEqual(write.from, CalculationLifecycle(state: .running))
        XCTAssertEqual(write.to, CalculationLifecycle(state: .notConverged, reason: .reported("the SCF did not converge")))
        XCTAssertEqual(write.finish, .finishes, "finished_at set, a cancel request cleared")
        XCTAssertEqual(write.notification, .notConverged)
        XCTAssertNil(try lifecycle.report(.notConverged, reason: "again"), "a repeat writes nothing")
    }

    func testALostRunComesBackAndEndsAgain() throws {
        var lifecycle = CalculationLifecycle(state: .running)
        let lost = try lifecycle.lose()
        XCTAssertEqual(lost.to, CalculationLifecycle(state: .failed, reason: .lost))
        XCTAssertEqual(lost.finish, .finishes)
        XCTAssertEqual(lost.notification, .lost)
        let back = try XCTUnwrap(try lifecycle.report(.running, reason: nil))
        XCTAssertEqual(back.finish, .reopens, "finished_at cleared")
        XCTAssertNil(back.notification)
        XCTAssertEqual(lifecycle.state, .running)
        var lostAgain = CalculationLifecycle(state: .failed, storedReason: "lost")
        XCTAssertEqual(try lostAgain.report(.succeeded, reason: nil)?.finish, .finishes)
        var failed = CalculationLifecycle(state: .failed, storedReason: "exit code 3")
        XCTAssertThrowsError(try failed.report(.running, reason: nil), "only a lost run may run again")
    }

    func testAClaimItsAgentNeverReceivedGoesBackToTheQueueWithoutAMail() throws {
        var lifecycle = CalculationLifecycle(state: .running)
        let write = try lifecycle.unlistedByItsAgent(everReported: false)
        XCTAssertEqual(write.to, CalculationLifecycle(state: .queued))
        XCTAssertEqual(write.claim, .released, "processed, started_at and the claim's token cleared: claimable again")
        XCTAssertEqual(write.finish, .unchanged)
        XCTAssertNil(write.notification, "nothing ran, nothing was lost")
        var reported = CalculationLifecycle(state: .running)
        let lost = try reported.unlistedByItsAgent(everReported: true)
        XCTAssertEqual(lost.to, CalculationLifecycle(state: .failed, reason: .lost), "reported on, then dropped: lost")
        XCTAssertEqual(lost.claim, .unchanged, "a lost run keeps its claim")
        XCTAssertEqual(lost.notification, .lost)
        var finished = CalculationLifecycle(state: .succeeded)
        XCTAssertThrowsError(try finished.unlistedByItsAgent(everReported: false), "only a running one was claimed and not received")
    }

    func testCancellingBeforeAnAgentEndsItAndWhileRunningAsksTheAgent() throws {
        var queued = CalculationLifecycle(state: .queued)
        guard case .cancelled(let write) = try queued.cancel(by: "ada@example.org") else { return XCTFail("a queued one ends at once") }
        XCTAssertEqual(write.to.reason, .cancelled(by: "ada@example.org"))
        XCTAssertEqual(write.to.reason?.text, "cancelled by ada@example.org")
        XCTAssertEqual(write.finish, .finishes)
        XCTAssertEqual(write.notification, .cancelled)
        var running = CalculationLifecycle(state: .running)
        XCTAssertEqual(try running.cancel(by: "ada@example.org"), .askAgent)
    }

    func testAStoredReasonReadsBackAsTheTypeItWasWrittenAs() {
        XCTAssertEqual(StateReason(stored: "lost", state: .failed), .lost)
        XCTAssertEqual(StateReason(stored: "lost", state: .notConverged), .reported("lost"), "an agent's own word stays its own")
        XCTAssertEqual(StateReason(stored: "cancelled by bob", state: .cancelled), .cancelled(by: "bob"))
        XCTAssertEqual(StateReason(stored: "cluster 'hpc' requires approval", state: .pendingApproval), .awaitingApproval("cluster 'hpc' requires approval"))
        XCTAssertNil(StateReason(stored: nil, state: .running))
        XCTAssertEqual(StateReason.reported(String(repeating: "x", count: 3_000)).text.count, 2_000)
    }

    func testAClaimTakesAQueuedOneToRunningWithinTheClustersLimit() throws {
        var lifecycle = CalculationLifecycle(state: CalculationLifecycle.claimedFrom)
        try lifecycle.claim()
        XCTAssertEqual(lifecycle.state, CalculationLifecycle.claimedTo)
        XCTAssertEqual([CalculationLifecycle.claimedFrom, CalculationLifecycle.claimedTo], [.queued, .running])
        XCTAssertThrowsError(try lifecycle.claim(), "a running one is not claimed again")
        XCTAssertNil(CalculationPolicy.runningLimit(maxRunning: 0), "0: no limit")
        XCTAssertEqual(CalculationPolicy.runningLimit(maxRunning: 3), 3)
    }
}
