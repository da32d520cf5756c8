import CalcflowCore
import CalcflowLogging
import JSON
import XCTest

/// The pure rules behind the hardening review: each would have let the reviewer's input through before.
final class HardeningRuleTests: XCTestCase {
    func testNamesRefuseCarriageReturnLineFeedThoughItIsOneCharacter() throws {
        XCTAssertEqual(Array("x\r\nBcc: someone@else").count, 19, "\"\\r\\n\" is one Character")
        XCTAssertEqual(ControlCharacters.first(in: "x\r\nBcc: someone@else"), "U+000D")
        XCTAssertNil(ControlCharacters.first(in: "Wasser · H₂O, 0.1 V"))
        var input = try InputObject(["name": "x\r\nBcc: someone@else"])
        XCTAssertThrowsError(try input.name("name")) { XCTAssertEqual(($0 as? ValidationError)?.field, "name") }
        var tab = try InputObject(["name": "a\tb"])
        XCTAssertThrowsError(try tab.name("name"))
        XCTAssertThrowsError(try EmailAddress.normalized("ada@example.org\u{0}"))
    }

    func testCSVCellsNeitherSplitRowsNorRunAsFormulas() {
        XCTAssertEqual(ReportTable.csvField("x\r\nBcc: y"), "\"x\r\nBcc: y\"", "a CRLF is quoted, so the row stays one")
        XCTAssertEqual(ReportTable.csvField("=HYPERLINK(\"http://evil\")"), "\"'=HYPERLINK(\"\"http://evil\"\")\"")
        XCTAssertEqual(ReportTable.csvField("+1+2"), "'+1+2")
        XCTAssertEqual(ReportTable.csvField("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(ReportTable.csvField("-2+3"), "'-2+3")
        XCTAssertEqual(ReportTable.csvField("-1.5e3"), "-1.5e3", "a negative number is a value, not a formula")
        XCTAssertEqual(ReportTable.csvField("water"), "water")
    }

    func testNamelistAssignmentsAreFoundOnSharedLinesAndNotInStringsOrComments() {
        let input = """
            &CONTROL
              calculation='scf', outdir='/elsewhere/'
              prefix = 'a, wfcdir = b' ! pseudo_dir = '/etc'
            /
            &SYSTEM ibrav = 2, celldm(1) = 10.2, nat = 2 /
            ATOMIC_SPECIES
             Si 28.086 Si.pz-vbc.UPF
            """
        let found = FortranNamelist.assignments(in: input).map { "\($0.namelist).\($0.variable)" }
        XCTAssertEqual(found, ["control.calculation", "control.outdir", "control.prefix", "system.ibrav", "system.celldm", "system.nat"])
        XCTAssertThrowsError(try QuantumEspressoInput.checkAgentOwnedVariables(input)) { error in
            XCTAssertTrue((error as? ValidationError)?.message.contains("outdir (line 2") == true, "\(error)")
        }
        XCTAssertThrowsError(try QuantumEspressoInput.checkAgentOwnedVariables("&control\n PSEUDO_DIR = '/tmp'\n/\n"))
        XCTAssertNoThrow(try QuantumEspressoInput.checkAgentOwnedVariables("&control\n calculation = 'scf'\n/\n"))
    }

    func testAStepParameterCannotCarryAnOutdirIntoTheTemplate() throws {
        let configuration: JSON = ["input": "&CONTROL\n  calculation = {{kind}}\n/\n"]
        let smuggled = StepPlan(steps: [StepPlan.Step(name: "scf", parameters: ["kind": "'scf', outdir='/elsewhere/'"])])
        XCTAssertThrowsError(try EngineConfiguration.validate(engine: "qe", configuration, steps: smuggled)) {
            XCTAssertEqual(($0 as? ValidationError)?.field, "steps[0].parameters")
        }
        let named = StepPlan(steps: [StepPlan.Step(name: "scf", parameters: ["outdir": "x"])])
        XCTAssertThrowsError(try EngineConfiguration.validate(engine: "qe", configuration, steps: named)) {
            XCTAssertEqual(($0 as? ValidationError)?.field, "steps[0].parameters.outdir")
        }
        XCTAssertNoThrow(try EngineConfiguration.validate(engine: "qe", configuration, steps: StepPlan(steps: [StepPlan.Step(name: "scf", parameters: ["kind": "'scf'"])])))
    }

    func testStepNamesOfDotsAreRefused() {
        for name in [".", "..", "..."] {
            XCTAssertThrowsError(try StepPlan.read([["name": .string(name)]]), name) { XCTAssertEqual(($0 as? ValidationError)?.field, "steps[0].name") }
        }
        XCTAssertNoThrow(try StepPlan.read([["name": "v0.1"]]))
    }

    func testAUserMayLowerPriorityButOnlyModeratorsRaiseIt() {
        XCTAssertNoThrow(try CalculationPolicy.checkPriority(-100, role: .user))
        XCTAssertNoThrow(try CalculationPolicy.checkPriority(0, role: .user))
        XCTAssertThrowsError(try CalculationPolicy.checkPriority(1, role: .user)) { XCTAssertEqual(($0 as? ValidationError)?.field, "priority") }
        XCTAssertNoThrow(try CalculationPolicy.checkPriority(100, role: .moderator))
        XCTAssertThrowsError(try CalculationPolicy.checkPriority(101, role: .admin))
    }

    func testAUsersCommandCalculationNeedsApprovalOnEveryCluster() {
        XCTAssertNotNil(CalculationPolicy.approvalReason(role: .user, engine: "command", clusterName: "open", clusterRequiresApproval: false))
        XCTAssertNil(CalculationPolicy.approvalReason(role: .user, engine: "xtb", clusterName: "open", clusterRequiresApproval: false))
        XCTAssertNotNil(CalculationPolicy.approvalReason(role: .user, engine: "xtb", clusterName: "hpc", clusterRequiresApproval: true))
        XCTAssertNil(CalculationPolicy.approvalReason(role: .moderator, engine: "command", clusterName: "hpc", clusterRequiresApproval: true))
    }

    func testAnEditThatNeedsApprovalSendsAnApprovedCalculationBack() throws {
        var approved = CalculationLifecycle(state: .queued)
        let sentBack = try approved.edited(approvalReason: "cluster 'hpc' requires approval")
        XCTAssertEqual(sentBack?.notification, .approvalNeeded)
        XCTAssertEqual(sentBack?.approval, .withdrawn)
        XCTAssertEqual(approved.state, .pendingApproval)
        XCTAssertEqual(approved.reason, .awaitingApproval("cluster 'hpc' requires approval"))
        var byModerator = CalculationLifecycle(state: .queued)
        XCTAssertNil(try byModerator.edited(approvalReason: nil))
        XCTAssertEqual(byModerator.state, .queued)
        var pending = CalculationLifecycle(state: .pendingApproval, reason: .awaitingApproval("old"))
        XCTAssertNil(try pending.edited(approvalReason: nil), "an edit never approves")
        var stillPending = pending
        let newReason = try stillPending.edited(approvalReason: "a command calculation needs approval")
        XCTAssertEqual(newReason?.approval, .unchanged)
        XCTAssertNil(newReason?.notification, "the approvers were told already")
        XCTAssertEqual(pending.state, .pendingApproval)
        var running = CalculationLifecycle(state: .running)
        XCTAssertThrowsError(try running.edited(approvalReason: nil))
        let approval = try pending.approve()
        XCTAssertNil(pending.reason, "approval clears the reason it waited for")
        XCTAssertEqual(approval.approval, .granted)
        XCTAssertEqual(approval.to.state, .queued)
        XCTAssertThrowsError(try pending.approve(), "approved once")
    }

    let throttle = SignInThrottle()

    func testTyposSlowOnlyThatPersonAtThatAddress() {
        // Five free failures, then a delay that doubles.
        XCTAssertEqual(throttle.decide(.init(pairFailures: 5, sincePairFailure: 0, emailFailures: 5, addressFailures: 5, addressIsKnown: true)), .allowed)
        XCTAssertEqual(throttle.decide(.init(pairFailures: 6, sincePairFailure: 0, emailFailures: 6, addressFailures: 6, addressIsKnown: true)), .wait(seconds: 1))
        XCTAssertEqual(throttle.decide(.init(pairFailures: 9, sincePairFailure: 3, emailFailures: 9, addressFailures: 9, addressIsKnown: true)), .wait(seconds: 5))
        XCTAssertEqual(throttle.delay(afterFailures: 100), 300, "the delay is capped")
        // A colleague behind the same address is not slowed by them.
        XCTAssertEqual(throttle.decide(.init(pairFailures: 1, sincePairFailure: nil, emailFailures: 1, addressFailures: 40, addressIsKnown: false)), .allowed)
    }

    func testAnAttackerElsewhereCannotKeepAUserOutOfAKnownAddressForLong() {
        // 31 failures of the admin's email from elsewhere: from an address the admin signed in from, one try a minute.
        XCTAssertEqual(throttle.decide(.init(pairFailures: 1, sincePairFailure: nil, emailFailures: 31, addressFailures: 1, addressIsKnown: true)), .allowed)
        XCTAssertEqual(throttle.decide(.init(pairFailures: 2, sincePairFailure: 20, emailFailures: 32, addressFailures: 2, addressIsKnown: true)), .wait(seconds: 40))
        // An unknown address waits until the email's window frees: the brute force stays at 30 guesses per 15 minutes.
        XCTAssertEqual(throttle.decide(.init(pairFailures: 1, sincePairFailure: nil, emailFailures: 31, addressFailures: 1,
                                             oldestEmailFailureAge: 300, addressIsKnown: false)), .wait(seconds: 600))
        // A host spraying many emails waits too.
        XCTAssertEqual(throttle.decide(.init(pairFailures: 1, sincePairFailure: nil, emailFailures: 1, addressFailures: 101,
                                             oldestAddressFailureAge: 800, addressIsKnown: false)), .wait(seconds: 100))
    }

    func testLogValuesCannotStartALineOrForgeAKey() {
        XCTAssertEqual(KeyValueLogHandler.escaped("ada@example.org"), "ada@example.org")
        XCTAssertEqual(KeyValueLogHandler.escaped("x\nevent=forged user=1"), "\"x\\nevent=forged user=1\"")
        XCTAssertEqual(KeyValueLogHandler.escaped("a \"b\"\r\u{7}"), "\"a \\\"b\\\"\\r\\u{7}\"")
        XCTAssertEqual(KeyValueLogHandler.escaped(""), "\"\"")
    }
}
