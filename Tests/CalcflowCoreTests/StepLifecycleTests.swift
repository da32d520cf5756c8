import CalcflowCore
import Foundation
import XCTest

/// A step's lifecycle on the agent, event by event, and above all after the agent restarted at each
/// point of it: from the record it wrote and what the step's folder shows.
final class StepLifecycleTests: XCTestCase {
    /// The agent keeps the record when it says more than the folder, and a new agent reads it back;
    /// otherwise the new agent finds no record and only the folder.
    private func reloaded(_ step: StepLifecycle) throws -> StepLifecycle {
        let data = try JSONEncoder().encode(step.record.saysMoreThanTheFolder ? step.record : StepRecord())
        return StepLifecycle(record: try JSONDecoder().decode(StepRecord.self, from: data), allowedRestarts: step.allowedRestarts)
    }

    func testAFreshStepIsLaunchedInspectedAndFinished() {
        var step = StepLifecycle(allowedRestarts: 2)
        XCTAssertEqual(step.begin(.init()), .launch)
        XCTAssertEqual(step.record.phase, .launching)
        XCTAssertEqual(step.exited(0), .inspect(exitCode: 0))
        XCTAssertEqual(step.inspected(.converged, canRestart: true), .finish(.converged))
        XCTAssertEqual(step.record, StepRecord(phase: .finished, restarts: 0, exitCode: 0, verdict: .converged))
    }

    func testANotConvergedStepRestartsUntilItsAllowanceIsSpent() {
        var step = StepLifecycle(allowedRestarts: 2)
        _ = step.begin(.init())
        _ = step.exited(0)
        XCTAssertEqual(step.inspected(.notConverged("scf: 100 iterations"), canRestart: true), .restart(number: 1))
        XCTAssertEqual(step.exited(0), .inspect(exitCode: 0))
        XCTAssertEqual(step.inspected(.notConverged("scf: 100 iterations"), canRestart: true), .restart(number: 2))
        XCTAssertEqual(step.exited(0), .inspect(exitCode: 0))
        XCTAssertEqual(step.inspected(.notConverged("scf: 100 iterations"), canRestart: true), .finish(.notConverged("scf: 100 iterations")),
                       "two restarts allowed, two done")
    }

    func testNoRestartWhenTheEngineCannotOrTheStepWasCancelledOrItFailed() {
        var cannot = StepLifecycle(allowedRestarts: 3)
        _ = cannot.begin(.init())
        _ = cannot.exited(0)
        XCTAssertEqual(cannot.inspected(.notConverged("x"), canRestart: false), .finish(.notConverged("x")))

        var failed = StepLifecycle(allowedRestarts: 3)
        _ = failed.begin(.init())
        _ = failed.exited(1)
        XCTAssertEqual(failed.inspected(.failed("exit code 1"), canRestart: true), .finish(.failed("exit code 1")), "only not converged restarts")

        var unprepared = StepLifecycle(allowedRestarts: 3)
        _ = unprepared.begin(.init())
        _ = unprepared.exited(0)
        _ = unprepared.inspected(.notConverged("no wavefunctions"), canRestart: true)
        XCTAssertEqual(unprepared.restartUnavailable(), .finish(.notConverged("no wavefunctions")), "it keeps the verdict of its last run")
    }

    /// The bug this type fixes: a step that had ended not converged was resumed as failed.
    func testAFinishedStepResumesWithItsOwnVerdict() throws {
        var step = StepLifecycle(allowedRestarts: 0)
        _ = step.begin(.init())
        _ = step.exited(0)
        _ = step.inspected(.notConverged("scf did not converge in 100 iterations"), canRestart: true)
        var resumed = try reloaded(step)
        XCTAssertEqual(resumed.begin(.init(exitCode: 0, started: true, launched: true)), .finish(.notConverged("scf did not converge in 100 iterations")))
    }

    func testARunStillGoingWhenTheAgentStoppedIsWaitedForNotStartedAgain() throws {
        var step = StepLifecycle(allowedRestarts: 1)
        _ = step.begin(.init())
        var resumed = try reloaded(step)
        XCTAssertEqual(resumed.begin(.init(started: true, launched: true)), .reattach)
        XCTAssertEqual(resumed.exited(0), .inspect(exitCode: 0))
    }

    func testARunThatEndedWhileTheAgentWasAwayIsInspectedFromItsExitCode() throws {
        var step = StepLifecycle(allowedRestarts: 1)
        _ = step.begin(.init())
        var resumed = try reloaded(step)
        XCTAssertEqual(resumed.begin(.init(exitCode: 3, started: true, launched: true)), .inspect(exitCode: 3))

        // Inspected once already, not yet reported as finished: inspected again (reports are idempotent).
        var exited = StepLifecycle(allowedRestarts: 1)
        _ = exited.begin(.init())
        _ = exited.exited(0)
        var again = try reloaded(exited)
        XCTAssertEqual(again.begin(.init(exitCode: 0, started: true, launched: true)), .inspect(exitCode: 0))
    }

    func testARunKilledWithTheAgentFailsAndOneNeverSubmittedIsLaunchedAgain() throws {
        var step = StepLifecycle(allowedRestarts: 1)
        _ = step.begin(.init())
        var killed = try reloaded(step)
        XCTAssertEqual(killed.begin(.init(started: true, launched: true)), .reattach)
        XCTAssertEqual(killed.vanished(.init(started: true, launched: true)),
                       .finish(.failed("its process ended without an exit code while the agent was away")))

        var submitting = try reloaded(step)
        XCTAssertEqual(submitting.begin(.init(started: true, launched: false)), .reattach)
        XCTAssertEqual(submitting.vanished(.init(started: true, launched: false)), .launch, "only being submitted: nothing ran")

        var prepared = try reloaded(step)
        XCTAssertEqual(prepared.begin(.init()), .launch, "stopped while preparing: nothing ran")
    }

    func testARestartInterruptedByTheAgentGoesOnAsThatSameRestart() throws {
        var step = StepLifecycle(allowedRestarts: 2)
        _ = step.begin(.init())
        _ = step.exited(0)
        XCTAssertEqual(step.inspected(.notConverged("x"), canRestart: true), .restart(number: 1))
        var beforeItRan = try reloaded(step)
        XCTAssertEqual(beforeItRan.begin(.init()), .restart(number: 1), "the count is not spent twice")
        var whileItRan = try reloaded(step)
        XCTAssertEqual(whileItRan.begin(.init(started: true, launched: true)), .reattach)
        XCTAssertEqual(whileItRan.exited(0), .inspect(exitCode: 0))
        XCTAssertEqual(whileItRan.inspected(.notConverged("x"), canRestart: true), .restart(number: 2))
    }

    func testOnlyARestartAndAVerdictAreKept() {
        XCTAssertEqual([StepRecord.Phase.new, .launching, .exited, .restarting, .finished].map { StepRecord(phase: $0).saysMoreThanTheFolder },
                       [false, false, false, true, true], "a run shows itself in the folder; a restart's count and a verdict do not")
    }

    func testTheRecordOnDiskReadsAsWords() throws {
        let record = StepRecord(phase: .finished, restarts: 1, exitCode: 0, verdict: .notConverged("scf"))
        let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        XCTAssertTrue(text.contains("\"phase\":\"finished\"") && text.contains("\"not_converged\""), text)
        XCTAssertThrowsError(try JSONDecoder().decode(StepRecord.self, from: Data(#"{"phase":"exploded","restarts":0}"#.utf8)),
                             "an unknown phase is an error, not a quiet default")
    }
}
