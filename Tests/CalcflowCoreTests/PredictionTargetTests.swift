import CalcflowCore
import XCTest

/// Which calculations a model predicts, and why not the others.
final class PredictionTargetTests: XCTestCase {
    func testAModelOfEveryEnginePredictsEachCalculationThatComputesItsAnalysis() {
        let target = PredictionTarget(analysis: "total_energy", unit: "eV")
        XCTAssertTrue(target.covers(engine: "xtb", analyses: ["scf", "total_energy"]))
        XCTAssertTrue(target.covers(engine: "qe", analyses: ["total_energy"]))
        XCTAssertFalse(target.covers(engine: "qe", analyses: ["scf", "bands"]))
        XCTAssertNil(target.refusal(engine: "qe", analyses: ["total_energy"], calculation: 7, model: "energy"))
        XCTAssertEqual(target.refusal(engine: "qe", analyses: ["scf"], calculation: 7, model: "energy"),
                       "calculation 7 does not compute total_energy, which model 'energy' predicts")
    }

    func testAModelOfOneEnginePredictsOnlyThatEnginesCalculations() {
        let target = PredictionTarget(analysis: "total_energy", unit: "eV", engine: "xtb")
        XCTAssertTrue(target.covers(engine: "xtb", analyses: ["scf", "total_energy"]))
        XCTAssertFalse(target.covers(engine: "qe", analyses: ["scf", "total_energy"]))
        XCTAssertFalse(target.covers(engine: "xtb", analyses: ["scf"]))
        XCTAssertEqual(target.refusal(engine: "qe", analyses: ["total_energy"], calculation: 7, model: "energy"),
                       "model 'energy' predicts total_energy of xtb calculations; calculation 7 is run by qe")
        XCTAssertEqual(target.json, ["analysis": "total_energy", "unit": "eV", "engine": "xtb"])
    }
}
