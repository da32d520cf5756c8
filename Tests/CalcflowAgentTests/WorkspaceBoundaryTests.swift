@testable import CalcflowAgent
import CalcflowCore
import Foundation
import JSON
import XCTest

/// Every path the agent builds stays inside the calculation's folder, and a pw.x input cannot move
/// its outputs or pseudopotentials elsewhere, whatever reaches the agent.
final class WorkspaceBoundaryTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-workspace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func claimed(_ json: JSON) throws -> ClaimedCalculation {
        try ClaimedCalculation(json)
    }

    func testStepFoldersOfDotsAreRefusedEvenIfAClaimCarriedThem() throws {
        let calculation = try claimed(["id": 7, "name": "Si", "engine": "qe", "steps": [["name": "scf"]]])
        let workspace = try Workspace(root: root.path, cluster: "local", calculation: calculation)
        XCTAssertThrowsError(try workspace.stepFolder(".."), "the cluster's folder")
        XCTAssertThrowsError(try workspace.stepFolder("."), "the calculation's own folder, where its claim and spool live")
        XCTAssertThrowsError(try workspace.stepFolder("../8-other"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("local/8-other").path), "nothing was created outside")
        let scf = try workspace.stepFolder("scf")
        XCTAssertEqual(scf.lastPathComponent, "scf")
        XCTAssertThrowsError(try workspace.copy(globs: ["*"], from: try workspace.stepFolder("..", create: false), to: scf))
    }

    func testAPwInputCannotSetOutdirThroughAStepParameter() throws {
        let calculation = try claimed([
            "id": 9, "name": "Si relax", "engine": "qe",
            "configuration": ["input": "&CONTROL\n  calculation = {{kind}}\n/\n&SYSTEM\n  ibrav = 2\n/\n"],
            "steps": [["name": "scf", "parameters": ["kind": "'scf', outdir='/elsewhere/'"]]],
        ])
        let workspace = try Workspace(root: root.path, cluster: "local", calculation: calculation)
        let engine = QuantumEspressoEngine(executable: "/usr/bin/pw.x", pseudoDirectory: "/usr/share/espresso/pseudo")
        let folder = try workspace.stepFolder("scf")
        XCTAssertThrowsError(try engine.prepare(calculation, step: calculation.steps[0], folder: folder, workspace: workspace)) { error in
            XCTAssertTrue("\(error)".contains("outdir"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("pw.in").path), "no input was written")
    }

    func testTheAgentsPathsGoInsideAOneLineControlNamelist() {
        let input = QuantumEspressoEngine.withPaths("&CONTROL calculation='scf' /\n&SYSTEM ibrav=2 /\n", pseudoDirectory: "/pseudo")
        let control = FortranNamelist.assignments(in: input).filter { $0.namelist == "control" }.map(\.variable)
        XCTAssertEqual(control, ["outdir", "pseudo_dir", "calculation"])
    }
}

/// Restarts go on from what the last run reached.
final class RestartInputTests: XCTestCase {
    func testAPwRelaxationRestartTakesTheLastPositionsCard() {
        let input = "&CONTROL\n calculation = 'relax'\n/\nATOMIC_POSITIONS alat\n Si 0.00 0.00 0.00\n Si 0.27 0.25 0.25\nK_POINTS automatic\n 2 2 2 1 1 1\n"
        let replaced = QuantumEspressoEngine.replacingCard("ATOMIC_POSITIONS", in: input,
                                                          with: ["ATOMIC_POSITIONS (alat)", "Si 0.0055 0.0 0.0", "Si 0.2644 0.25 0.25"])
        XCTAssertTrue(replaced.contains("ATOMIC_POSITIONS (alat)\nSi 0.0055 0.0 0.0\nSi 0.2644 0.25 0.25\nK_POINTS automatic"), replaced)
        XCTAssertFalse(replaced.contains("0.27"))
    }

    func testASiestaRestartReadsItsDensityMatrixAndLastGeometry() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-siesta-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let calculation = try ClaimedCalculation(["id": 3, "name": "h2o relax", "engine": "siesta", "steps": [["name": "relax"]]])
        let workspace = try Workspace(root: folder.path, cluster: "local", calculation: calculation)
        let step = try workspace.stepFolder("relax")
        try "SystemLabel h2o\nMD.TypeOfRun CG\n".write(to: step.appendingPathComponent("input.fdf"), atomically: true, encoding: .utf8)
        XCTAssertTrue(try SiestaEngine(executable: "siesta", pseudoDirectory: "").prepareRestart(folder: step, workspace: workspace))
        let fdf = try String(contentsOf: step.appendingPathComponent("input.fdf"), encoding: .utf8)
        XCTAssertTrue(fdf.contains("DM.UseSaveDM true") && fdf.contains("MD.UseSaveXV true"), fdf)
    }
}
