import CalcflowCore
import XCTest

/// The model container's lifecycle, event by event, as the controller will feed it.
final class ModelLifecycleTests: XCTestCase {
    var policy: ModelLifecycle.Policy {
        var policy = ModelLifecycle.Policy()
        policy.startupDeadlineSeconds = 60
        return policy
    }

    func testStartingThenHealthyOnTheFirstGoodPing() {
        var model = ModelLifecycle(policy: policy)
        XCTAssertEqual(model.desired(.running, now: 0), .start)
        XCTAssertEqual(model.state, .starting)
        XCTAssertEqual(model.pingFailed("connection refused", now: 5), .none, "a slow loader is given its deadline")
        XCTAssertEqual(model.state, .starting)
        XCTAssertEqual(model.pingSucceeded(now: 6), .none)
        XCTAssertEqual(model.state, .healthy)
        XCTAssertEqual(model.desired(.running, now: 7), .none, "already running")
    }

    func testAModelThatNeverAnswersFailsAtItsDeadlineWithTheReason() {
        var model = ModelLifecycle(policy: policy)
        _ = model.desired(.running, now: 0)
        XCTAssertEqual(model.tick(now: 59), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 61), .fail)
        XCTAssertEqual(model.state, .failed)
        XCTAssertEqual(model.message, "it did not answer GET /ping within its startup deadline of 60 s")
        model.recordLogs(["loading weights", "Killed"])
        XCTAssertTrue(model.message?.hasSuffix("last 2 log lines of the container:\nloading weights\nKilled") == true, model.message ?? "")
    }

    func testThreeFailedPingsMakeItUnhealthyAndRestartWithBackoff() {
        var model = ModelLifecycle(policy: policy)
        _ = model.desired(.running, now: 0)
        _ = model.pingSucceeded(now: 1)
        XCTAssertEqual(model.pingFailed("timed out after 2 s", now: 2), .none)
        XCTAssertEqual(model.pingFailed("timed out after 2 s", now: 3), .none)
        XCTAssertEqual(model.pingFailed("timed out after 2 s", now: 4), .removeForRestart(backoffSeconds: 1))
        XCTAssertEqual(model.state, .restarting)
        XCTAssertEqual(model.restarts, 1)
        XCTAssertTrue(model.message?.contains("3 pings in a row failed: timed out after 2 s") == true, model.message ?? "")
        XCTAssertEqual(model.tick(now: 4.5), .none, "the backoff has not passed")
        XCTAssertEqual(model.tick(now: 5), .start)
        XCTAssertEqual(model.state, .starting)
        _ = model.pingSucceeded(now: 6)
        XCTAssertEqual(model.state, .healthy)
        XCTAssertNil(model.message)
    }

    func testACrashLoopEndsFailedAfterFiveRestartsWithinTenMinutes() {
        var model = ModelLifecycle(policy: policy)
        _ = model.desired(.running, now: 0)
        var now = 0.0
        var backoffs: [Double] = []
        for _ in 0..<5 {
            now += 1
            guard case .removeForRestart(let backoff) = model.containerExited(code: 1, now: now) else { return XCTFail("a restart") }
            backoffs.append(backoff)
            now += backoff
            XCTAssertEqual(model.tick(now: now), .start)
        }
        XCTAssertEqual(backoffs, [1, 2, 4, 8, 16], "1 s doubling")
        XCTAssertEqual(model.containerExited(code: 1, now: now + 1), .fail)
        XCTAssertEqual(model.state, .failed)
        XCTAssertTrue(model.message?.hasPrefix("it crash-loops: 5 restarts within 10 minutes; the last: the container exited with code 1") == true, model.message ?? "")
        XCTAssertEqual(model.desired(.running, now: now + 2), .none, "still desired running, it stays failed")
        XCTAssertEqual(model.state, .failed)
        // A person starting it again resets the count.
        XCTAssertEqual(model.startedAgain(now: now + 3), .start)
        XCTAssertEqual(model.restarts, 0)
        XCTAssertNil(model.message)
    }

    func testRestartsSpreadOverMoreThanTheWindowAreNoCrashLoop() {
        var model = ModelLifecycle(policy: policy)
        _ = model.desired(.running, now: 0)
        var now = 0.0
        for _ in 0..<8 {
            now += 200
            guard case .removeForRestart(let backoff) = model.containerExited(code: 137, now: now) else { return XCTFail("a restart at \(now)") }
            XCTAssertLessThanOrEqual(backoff, 8)
            XCTAssertEqual(model.tick(now: now + backoff), .start)
        }
        XCTAssertEqual(model.restarts, 8)
    }

    func testTheBackoffIsCappedAtFiveMinutes() {
        var tolerant = policy
        tolerant.crashLoopRestarts = 100
        tolerant.crashLoopWindowSeconds = 100_000
        var model = ModelLifecycle(policy: tolerant)
        _ = model.desired(.running, now: 0)
        var now = 0.0
        var last = 0.0
        for _ in 0..<12 {
            now += 1
            guard case .removeForRestart(let backoff) = model.containerExited(code: 1, now: now) else { return XCTFail() }
            last = backoff
            now += backoff
            _ = model.tick(now: now)
        }
        XCTAssertEqual(last, 300)
    }

    func testStoppingStopsAndAMissingImageFailsClearly() {
        var model = ModelLifecycle(policy: policy)
        _ = model.desired(.running, now: 0)
        XCTAssertEqual(model.startFailed("image not found on the engine: example-energy:latest"), .fail)
        XCTAssertEqual(model.state, .failed)
        XCTAssertEqual(model.message, "image not found on the engine: example-energy:latest")
        XCTAssertEqual(model.desired(.stopped, now: 1), .none, "a failed model has no container left")
        XCTAssertEqual(model.state, .stopped)
        _ = model.desired(.running, now: 2)
        _ = model.pingSucceeded(now: 3)
        XCTAssertEqual(model.desired(.stopped, now: 4), .stop)
        XCTAssertEqual(model.state, .stopped)
        XCTAssertEqual(model.containerExited(code: 143, now: 5), .none, "a stopped model's exit is expected")
    }

    func testAnAdoptedRunningContainerIsNotStartedTwice() {
        var model = ModelLifecycle(policy: policy)
        XCTAssertEqual(model.adopted(running: true, now: 0), .none)
        XCTAssertEqual(model.state, .starting)
        XCTAssertEqual(model.desired(.running, now: 0), .none)
        _ = model.pingSucceeded(now: 1)
        XCTAssertEqual(model.state, .healthy)
    }

    /// After its service and conmon were killed, podman lists a container as running whose processes are
    /// gone. Adopted hours after its start, it is restarted after failed pings instead of failed by the clock.
    func testAnAdoptedContainerThatStopsAnsweringIsRestartedNotFailed() {
        var model = ModelLifecycle(policy: policy)
        XCTAssertEqual(model.adopted(running: true, containerStartedAt: 1_000, now: 20_000), .none)
        XCTAssertEqual(model.state, .starting)
        XCTAssertEqual(model.tick(now: 20_001), .none, "the deadline from its own start has passed, but the clock does not fail it")
        XCTAssertEqual(model.pingFailed("connection refused", now: 20_005), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 20_010), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 20_015), .removeForRestart(backoffSeconds: 1))
        XCTAssertEqual(model.state, .restarting)
        XCTAssertEqual(model.restarts, 1)
        XCTAssertTrue(model.message?.contains("it was running when the controller started, but 3 pings in a row failed: connection refused") == true,
                      model.message ?? "")
        XCTAssertEqual(model.tick(now: 20_017), .start)
        XCTAssertEqual(model.pingFailed("connection refused", now: 20_020), .none, "the new container is given its whole deadline")
        XCTAssertEqual(model.tick(now: 20_078), .fail, "and a new one that never answers fails as any start does")
    }

    func testAnAdoptedContainerStillLoadingKeepsTheDeadlineOfItsOwnStart() {
        var model = ModelLifecycle(policy: policy)
        XCTAssertEqual(model.adopted(running: true, containerStartedAt: 100, now: 130), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 135), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 140), .none)
        XCTAssertEqual(model.pingFailed("connection refused", now: 145), .none, "within 60 s of its start, failed pings are a slow load")
        XCTAssertEqual(model.state, .starting)
        XCTAssertEqual(model.pingSucceeded(now: 150), .none)
        XCTAssertEqual(model.state, .healthy)
        XCTAssertFalse(model.adoptedUnconfirmed)
        for second in [155.0, 160, 165] { _ = model.pingFailed("timed out", now: second) }
        XCTAssertEqual(model.state, .restarting, "once it has answered, it is judged as any healthy model")
    }

    func testAnAdoptedContainerWithoutAnEndpointIsReplaced() {
        var model = ModelLifecycle(policy: policy)
        XCTAssertEqual(model.adopted(running: false, containerStartedAt: 100, now: 130), .start)
        XCTAssertFalse(model.adoptedUnconfirmed)
    }
}
