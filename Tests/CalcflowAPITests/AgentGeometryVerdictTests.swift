import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Verdicts of real pw.x runs through the agent, each crafted to hit one entry of the catalogue in the
/// README: a relaxation stopped by nstep, one that goes on from its last geometry, an SCF that says it
/// converged above its own threshold, and a run whose time ran out.
extension AgentTests {
    static let siliconRelax = """
        &CONTROL
          calculation = 'relax'
          prefix = 'si'
          nstep = {{nstep}}
          {{extra_control}}
        /
        &SYSTEM
          ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0
        /
        &ELECTRONS
          {{electrons}}
        /
        &IONS
        /
        ATOMIC_SPECIES
         Si 28.086 Si.pz-vbc.UPF
        ATOMIC_POSITIONS alat
         Si 0.00 0.00 0.00
         Si 0.27 0.25 0.25
        K_POINTS automatic
         2 2 2 1 1 1
        """

    func relax(_ name: String, nstep: Int, extraControl: String = "", electrons: String = "", maxRestarts: Int = 0) throws -> Int64 {
        try submit(["name": .string(name), "engine": "qe", "analyses": ["scf", "total_energy", "geometry"],
                    "configuration": ["input": .string(Self.siliconRelax), "pseudopotentials": ["Si.pz-vbc.UPF"], "max_restarts": .integer(Int64(maxRestarts))],
                    "steps": [["name": "relax", "parameters": ["nstep": .integer(Int64(nstep)), "extra_control": .string(extraControl),
                                                               "electrons": .string(electrons)]]]])
    }

    func testARelaxationStoppedByNstepIsNotConvergedThoughPwPrintsJobDone() throws {
        let id = try relax("Si relax, one step", nstep: 1)
        let calculation = try finished(id, seconds: 120)
        XCTAssertEqual(calculation["state"], "not_converged", calculation.serializedString())
        XCTAssertTrue(calculation["reason"]?.stringValue?.contains("the geometry did not converge in 1 ionic step") == true, calculation.serializedString())
        XCTAssertEqual(try analysis(id, "geometry")?["final"], false, "the last geometry reached, not a relaxed one")
    }

    func testANonConvergedRelaxationGoesOnFromItsLastGeometryAndRecordsTheRestart() throws {
        let id = try relax("Si relax, two steps a run", nstep: 2, maxRestarts: 3)
        let calculation = try finished(id, seconds: 180)
        XCTAssertEqual(calculation["state"], "succeeded", calculation.serializedString())
        let events = try client.get("/api/v1/calculations/\(id)/events?limit=500", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(events.contains { $0["message"]?.stringValue?.hasPrefix("restart 1 of 3") == true }, "the restart is an event")
        XCTAssertEqual(try analysis(id, "geometry")?["final"], true)
        let energy = try XCTUnwrap(analysis(id, "total_energy")?["rydberg"]?.doubleValue)
        XCTAssertEqual(energy, -15.83268, accuracy: 1e-4, "the relaxed structure's energy, not the first step's")
        let steps = try XCTUnwrap(analysis(id, "scf")?["ionic_steps"]?.arrayValue)
        XCTAssertGreaterThan(steps.count, 0)
        XCTAssertTrue(steps.allSatisfy { $0["converged"] == true })
    }

    func testAnSCFThatStoppedAboveItsThresholdIsNotConvergedThoughPwSaysItIs() throws {
        let id = try relax("Si relax, SCF cut short", nstep: 50, electrons: "electron_maxstep = 3, conv_thr = 1.0d-12, scf_must_converge = .false.")
        let calculation = try finished(id, seconds: 120)
        XCTAssertEqual(calculation["state"], "not_converged", calculation.serializedString())
        XCTAssertTrue(calculation["reason"]?.stringValue?.contains("of ionic step 1 stopped at an estimated accuracy") == true, calculation.serializedString())
    }

    func testARunWhoseTimeRanOutIsNotConverged() throws {
        let id = try relax("Si relax, no time", nstep: 50, extraControl: "max_seconds = 0.05")
        let calculation = try finished(id, seconds: 120)
        XCTAssertEqual(calculation["state"], "not_converged", calculation.serializedString())
        XCTAssertTrue(calculation["reason"]?.stringValue?.contains("time ran out (max_seconds)") == true, calculation.serializedString())
    }

    func testAnXTBOptimisationCutShortGoesOnFromItsLastGeometry() throws {
        let stopped = try submit(["name": "Water opt, two cycles", "engine": "xtb", "analyses": ["scf", "total_energy", "geometry"],
                                  "configuration": ["structure": ["format": "xyz", "text": .string(Self.water)], "task": "opt", "cycles": 2]])
        let resumed = try submit(["name": "Water opt, two cycles a run", "engine": "xtb", "analyses": ["scf", "total_energy", "geometry"],
                                  "configuration": ["structure": ["format": "xyz", "text": .string(Self.water)], "task": "opt", "cycles": 2, "max_restarts": 3]])
        let first = try finished(stopped)
        XCTAssertEqual(first["state"], "not_converged", first.serializedString())
        XCTAssertEqual(try analysis(stopped, "geometry")?["final"], false, "the last geometry reached, marked as such")
        let second = try finished(resumed)
        XCTAssertEqual(second["state"], "succeeded", second.serializedString())
        let events = try client.get("/api/v1/calculations/\(resumed)/events?limit=500", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertTrue(events.contains { $0["message"]?.stringValue?.hasPrefix("restart 1 of 3") == true })
        XCTAssertEqual(try analysis(resumed, "geometry")?["final"], true)
    }
}
