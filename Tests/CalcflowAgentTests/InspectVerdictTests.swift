@testable import CalcflowAgent
import Foundation
import JSON
import XCTest

/// `calcflow-agent inspect` on outputs that pw.x and xtb write here, each run with an input crafted to
/// hit one entry of the verdict catalogue (small cells, about a second each).
final class InspectVerdictTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/pw.x") && FileManager.default.isExecutableFile(atPath: "/usr/bin/xtb"),
                          "pw.x and xtb come with make test's Debian packages")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    static func silicon(calculation: String = "scf", control: String = "", electrons: String = "", second: String = "0.25") -> String {
        """
        &CONTROL
          calculation = '\(calculation)'
          prefix = 'si'
          outdir = './out-\(UUID().uuidString.prefix(8))'
          pseudo_dir = '/usr/share/espresso/pseudo'
          \(control)
        /
        &SYSTEM
          ibrav = 2, celldm(1) = 10.2, nat = 2, ntyp = 1, ecutwfc = 18.0
        /
        &ELECTRONS
          \(electrons)
        /
        &IONS
        /
        ATOMIC_SPECIES
         Si 28.086 Si.pz-vbc.UPF
        ATOMIC_POSITIONS alat
         Si 0.00 0.00 0.00
         Si \(second) 0.25 0.25
        K_POINTS automatic
         2 2 2 1 1 1

        """
    }

    /// Runs a code in the test's folder, its output into `output`; returns the exit code.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], input: String? = nil, output: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if let input {
            try input.write(to: folder.appendingPathComponent(output + ".in"), atomically: true, encoding: .utf8)
            process.arguments = arguments + ["-in", output + ".in"]
        }
        guard FileManager.default.createFile(atPath: folder.appendingPathComponent(output).path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: folder.appendingPathComponent(output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return process.terminationStatus
    }

    func inspect(_ engine: String, _ path: String) throws -> JSON {
        try Agent.inspect(engine: engine, folder: folder.appendingPathComponent(path).path, configuration: nil)
    }

    func testGivenAFileInspectJudgesThatFileAndNotItsNeighbours() throws {
        try run("/usr/bin/pw.x", [], input: Self.silicon(), output: "si.out")
        try run("/usr/bin/pw.x", [], input: Self.silicon(electrons: "electron_maxstep = 2"), output: "bad.out")
        let good = try inspect("qe", "si.out")
        XCTAssertEqual(good["verdict"], "converged", good.serializedString())
        XCTAssertEqual(good["output"]?.stringValue, folder.appendingPathComponent("si.out").path)
        XCTAssertEqual(try inspect("qe", "bad.out")["verdict"], "not_converged")
        // Given the folder, it says which file it read and why.
        let chosen = try inspect("qe", "")
        XCTAssertTrue(chosen["chosen_because"]?.stringValue?.contains("the newest of 2 *.out files") == true, chosen.serializedString())
        // The agent's own stdout.txt wins in a step's folder.
        try FileManager.default.copyItem(at: folder.appendingPathComponent("si.out"), to: folder.appendingPathComponent("stdout.txt"))
        let step = try inspect("qe", "")
        XCTAssertEqual(step["verdict"], "converged")
        XCTAssertTrue(step["chosen_because"]?.stringValue?.contains("the step's own output") == true)
    }

    func testARelaxationStoppedByNstepIsNotConverged() throws {
        let code = try run("/usr/bin/pw.x", [], input: Self.silicon(calculation: "relax", control: "nstep = 1", second: "0.27"), output: "relax.out")
        XCTAssertEqual(code, 3, "pw.x's exit code when nstep is reached")
        let relax = try inspect("qe", "relax.out")
        XCTAssertEqual(relax["verdict"], "not_converged", relax.serializedString())
        XCTAssertEqual(relax["reason"], "the geometry did not converge in 1 ionic step (nstep was reached)")
    }

    func testAConvergedRelaxationGivesTheFinalEnergyAndGeometryWithEachIonicStepApart() throws {
        try run("/usr/bin/pw.x", [], input: Self.silicon(calculation: "relax", control: "nstep = 50", second: "0.27"), output: "relax.out")
        let relax = try inspect("qe", "relax.out")
        XCTAssertEqual(relax["verdict"], "converged", relax.serializedString())
        let text = try String(contentsOf: folder.appendingPathComponent("relax.out"), encoding: .utf8)
        let final = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("Final energy") }.flatMap { $0.split(separator: " ").compactMap { Double($0) }.first })
        XCTAssertEqual(try XCTUnwrap(relax["analyses"]?["total_energy"]?["rydberg"]?.doubleValue), final, accuracy: 1e-7)
        XCTAssertEqual(relax["analyses"]?["geometry"]?["final"], true)
        let steps = try XCTUnwrap(relax["analyses"]?["scf"]?["ionic_steps"]?.arrayValue)
        XCTAssertEqual(steps.count, text.components(separatedBy: "convergence has been achieved").count - 1)
        XCTAssertGreaterThan(steps.count, 1)
    }

    func testAVariableCellRelaxationStoppedByNstepIsNotConverged() throws {
        try run("/usr/bin/pw.x", [], input: Self.silicon(calculation: "vc-relax", control: "nstep = 1", second: "0.27").replacingOccurrences(of: "&IONS\n/", with: "&IONS\n/\n&CELL\n/"),
                output: "vc.out")
        let relax = try inspect("qe", "vc.out")
        XCTAssertEqual(relax["verdict"], "not_converged", relax.serializedString())
        XCTAssertTrue(relax["reason"]?.stringValue?.contains("the geometry did not converge") == true)
    }

    func testAnSCFAboveItsOwnThresholdIsNotConvergedThoughPwSaysItIs() throws {
        let code = try run("/usr/bin/pw.x", [], input: Self.silicon(electrons: "electron_maxstep = 3, conv_thr = 1.0d-12, scf_must_converge = .false."), output: "short.out")
        XCTAssertEqual(code, 0)
        let text = try String(contentsOf: folder.appendingPathComponent("short.out"), encoding: .utf8)
        XCTAssertTrue(text.contains("convergence has been achieved"), "the trap: pw.x says it converged")
        let short = try inspect("qe", "short.out")
        XCTAssertEqual(short["verdict"], "not_converged", short.serializedString())
        XCTAssertTrue(short["reason"]?.stringValue?.contains("above its threshold of 1e-12 Ry") == true, short.serializedString())
    }

    func testAnSCFThatDidNotConvergeIsNotConvergedThoughJobDoneIsPrinted() throws {
        XCTAssertEqual(try run("/usr/bin/pw.x", [], input: Self.silicon(electrons: "electron_maxstep = 2"), output: "scf.out"), 2)
        let scf = try inspect("qe", "scf.out")
        XCTAssertEqual(scf["verdict"], "not_converged")
        XCTAssertEqual(scf["reason"], "the SCF did not converge")
        XCTAssertNil(scf["analyses"]?["total_energy"] ?? nil)
    }

    func testTheWallTimeRunningOutIsNotConverged() throws {
        try run("/usr/bin/pw.x", [], input: Self.silicon(calculation: "relax", control: "nstep = 50, max_seconds = 0.05", second: "0.27"), output: "time.out")
        let time = try inspect("qe", "time.out")
        XCTAssertEqual(time["verdict"], "not_converged", time.serializedString())
        XCTAssertTrue(time["reason"]?.stringValue?.contains("max_seconds") == true)
    }

    func testACrashIsAFailureWithPwsOwnMessage() throws {
        let missing = Self.silicon().replacingOccurrences(of: "Si.pz-vbc.UPF", with: "Missing.UPF")
        XCTAssertNotEqual(try run("/usr/bin/pw.x", [], input: missing, output: "crash.out"), 0)
        let crash = try inspect("qe", "crash.out")
        XCTAssertEqual(crash["verdict"], "failed", crash.serializedString())
        XCTAssertTrue(crash["reason"]?.stringValue?.hasPrefix("pw.x: ") == true, crash.serializedString())
    }

    func testATruncatedOutputIsAFailureNotAResult() throws {
        try run("/usr/bin/pw.x", [], input: Self.silicon(), output: "full.out")
        let text = try String(contentsOf: folder.appendingPathComponent("full.out"), encoding: .utf8)
        let cut = text.components(separatedBy: "JOB DONE.")[0].components(separatedBy: "PWSCF        :")[0]
        try cut.write(to: folder.appendingPathComponent("killed.out"), atomically: true, encoding: .utf8)
        let killed = try inspect("qe", "killed.out")
        XCTAssertEqual(killed["verdict"], "failed", killed.serializedString())
        XCTAssertTrue(killed["reason"]?.stringValue?.contains("before JOB DONE") == true)
    }

    static let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"

    func testXTBsTrapsJudgedFromTheirOwnOutput() throws {
        try Self.water.write(to: folder.appendingPathComponent("water.xyz"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try run("/usr/bin/xtb", ["water.xyz", "--iterations", "2"], output: "scc.out"), 1)
        let scc = try inspect("xtb", "scc.out")
        XCTAssertEqual(scc["verdict"], "not_converged", scc.serializedString())
        XCTAssertEqual(scc["reason"], "the SCC did not converge")
        XCTAssertEqual(try run("/usr/bin/xtb", ["water.xyz", "--opt", "--cycles", "1"], output: "opt.out"), 0, "xtb exits 0 on a failed optimisation")
        let opt = try inspect("xtb", "opt.out")
        XCTAssertEqual(opt["verdict"], "not_converged", opt.serializedString())
        XCTAssertEqual(opt["reason"], "the geometry optimisation did not converge")
        XCTAssertEqual(try run("/usr/bin/xtb", ["water.xyz"], output: "sp.out"), 0)
        XCTAssertEqual(try inspect("xtb", "sp.out")["verdict"], "converged")
    }
}
