import CalcflowCore
import JSON
import XCTest

final class OutputParserTests: XCTestCase {
    func parse<Parser>(_ text: String, into parser: inout Parser, _ consume: (inout Parser, Substring) -> Void) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { consume(&parser, line) }
    }

    func testXTBSinglePoint() {
        var parser = XTBOutputParser()
        parse("""
             iter      E             dE          RMSdq      gap      omega  full diag
               1     -5.1043499 -0.510435E+01  0.423E+00   15.06       0.0  T
               2     -5.1058519 -0.120933E-02  0.244E+00   14.79       1.0  T

               *** convergence criteria satisfied after 2 iterations ***
                  | TOTAL ENERGY               -5.070375897275 Eh   |
            normal termination of xtb
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.verdict(exitCode: 0, optimisation: false), .converged)
        XCTAssertEqual(parser.iterationEnergies, [-5.1043499, -5.1058519])
        XCTAssertEqual(parser.analyses["total_energy"]?["value"]?.doubleValue ?? 0, -5.070375897275 * Units.electronvoltsPerHartree, accuracy: 1e-9)
        XCTAssertEqual(parser.analyses["scf"]?["iterations"], 2)
    }

    func testXTBFailedOptimisationExitsZeroButIsNotConverged() {
        var parser = XTBOutputParser()
        parse("""
               *** convergence criteria satisfied after 8 iterations ***
                  | TOTAL ENERGY               -5.07 Eh   |
               *** FAILED TO CONVERGE GEOMETRY OPTIMIZATION IN 1 ITERATIONS ***
            normal termination of xtb
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.verdict(exitCode: 0, optimisation: true), .notConverged("the geometry optimisation did not converge"))
    }

    func testXTBSCCThatCannotConverge() {
        var parser = XTBOutputParser()
        parse("""
               *** convergence criteria cannot be satisfied within 2 iterations ***
            abnormal termination of xtb
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.verdict(exitCode: 1, optimisation: false), .notConverged("the SCC did not converge"))
    }

    /// The markers are found byte for byte anywhere in a line, after other text and non-ASCII bytes
    /// too, and a near miss (a marker cut short, a repeated first letter) is not taken for one.
    func testXTBMarkersAreFoundAnywhereInALineAndNearMissesAreNot() {
        var parser = XTBOutputParser()
        parse("""
               ** ünïcode ** ccconvergence criteria satisfied after 3 iterations ***
               *** FAILED TO CONVERGE GEOMETRY OPTIMIZATIO
            """, into: &parser) { $0.consume($1) }
        XCTAssertTrue(parser.sccConverged)
        XCTAssertFalse(parser.optimisationFailed)
        XCTAssertFalse(parser.sccFailed)
        parse("   the SCC did not converge", into: &parser) { $0.consume($1) }
        XCTAssertTrue(parser.sccFailed)
    }

    func testQuantumEspressoConverged() {
        var parser = QuantumEspressoOutputParser()
        parse("""
                 Program PWSCF v.6.7MaX starts on 26Nov2026 at  6:15:28
                 total energy              =     -15.84088221 Ry
                 total energy              =     -15.84403002 Ry
                 highest occupied level (ev):     5.9577
            !    total energy              =     -15.84452722 Ry
                 convergence has been achieved in   3 iterations
                 PWSCF        :      0.08s CPU      0.09s WALL
               JOB DONE.
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.verdict(exitCode: 0, calculation: "scf"), .converged)
        XCTAssertEqual(parser.analyses["scf"]?["iterations"], 3)
        XCTAssertEqual(parser.analyses["total_energy"]?["value"]?.doubleValue ?? 0, -15.84452722 * Units.electronvoltsPerRydberg, accuracy: 1e-9)
        XCTAssertEqual(parser.analyses["fermi_energy"]?["value"], 5.9577)
        XCTAssertEqual(parser.analyses["timing"]?["wall_seconds"], 0.09)
        XCTAssertEqual(parser.version, "v.6.7MaX")
        var long = QuantumEspressoOutputParser()
        long.consume("     PWSCF        :   1m 4.10s CPU   1m 5.20s WALL")
        XCTAssertEqual(long.wallSeconds ?? 0, 65.2, accuracy: 1e-9)
    }

    /// pw.x prints JOB DONE. after a non-converged SCF too.
    func testQuantumEspressoNotConvergedDespiteJobDone() {
        var parser = QuantumEspressoOutputParser()
        parse("""
                 total energy              =     -15.84088221 Ry
                 total energy              =     -15.84403002 Ry
                 convergence NOT achieved after   2 iterations: stopping
               JOB DONE.
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.verdict(exitCode: 2, calculation: "scf"), .notConverged("the SCF did not converge"))
        XCTAssertNil(parser.analyses["total_energy"])
    }

    func testTemplatesTakeStepParameters() {
        XCTAssertEqual(TemplateText.render("ecutwfc = {{cutoff}}, {{cutoff}}", parameters: ["cutoff": 18]), "ecutwfc = 18, 18")
        XCTAssertEqual(TemplateText.unused("{{a}}", parameters: ["a": 1, "b": 2]), ["b"])
    }

    func testQuantumEspressoForcesAndFinalCoordinates() {
        var parser = QuantumEspressoOutputParser()
        parse("""
                 Forces acting on atoms (cartesian axes, Ry/au):

                 atom    1 type  1   force =     0.00100000    0.00000000   -0.00200000
                 atom    2 type  1   force =    -0.00100000    0.00000000    0.00200000
            Begin final coordinates
            ATOMIC_POSITIONS (alat)
            Si            0.0000000000        0.0000000000        0.0000000000
            Si            0.2510000000        0.2500000000        0.2500000000
            End final coordinates
            """, into: &parser) { $0.consume($1) }
        XCTAssertEqual(parser.forces.count, 2)
        XCTAssertEqual(parser.analyses["forces"]?["atoms"]?.arrayValue?.first?.arrayValue?.first?.doubleValue ?? 0, 0.001 * 13.605693122994 / 0.529177210903, accuracy: 1e-9)
        XCTAssertEqual(parser.analyses["geometry"]?["atoms"]?.arrayValue?.last?["x"], 0.251)
    }
}
