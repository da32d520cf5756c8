import CalcflowCore
import Foundation
import JSON
import XCTest

/// Real SIESTA outputs from Tests/Fixtures/siesta (provenance and licences there).
final class SiestaFixtureTests: XCTestCase {
    /// In the repository, so a clone anywhere runs them (CALCFLOW_FIXTURES may point at another copy).
    static let fixtures: URL = {
        if let folder = ProcessInfo.processInfo.environment["CALCFLOW_FIXTURES"] { return URL(fileURLWithPath: folder).appendingPathComponent("siesta") }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/siesta")
    }()

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.fileExists(atPath: Self.fixtures.path) else {
            throw FixturesMissing(message: "no SIESTA fixtures at \(Self.fixtures.path): Tests/Fixtures/siesta is missing, or set CALCFLOW_FIXTURES")
        }
    }

    struct FixturesMissing: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func parse(_ path: String, messages: Bool = true) throws -> SiestaOutputParser {
        var parser = SiestaOutputParser()
        for file in [path] + (messages ? [URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("MESSAGES").path] : []) {
            guard let data = FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent(file).path) ?? FileManager.default.contents(atPath: file) else { continue }
            // Bytes that are not UTF-8 (RUN.out has some) become U+FFFD, as the agent reads them.
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) { parser.consume(line) }
        }
        return parser
    }

    func testAConvergedRun() throws {
        let parser = try parse("aiida_siesta_plugin/default/aiida.out")
        XCTAssertEqual(parser.verdict(exitCode: 0), .converged)
        XCTAssertEqual(parser.totalEnergy, -212.765570)
        XCTAssertEqual(parser.fermiEnergy, -3.575785)
        XCTAssertEqual(parser.lastCycle.count, 5)
        XCTAssertEqual(parser.lastCycle.last, -212.765570)
        XCTAssertEqual(parser.version, "MaX-1.0-3")
        XCTAssertEqual(parser.wallSeconds, 3.185)
        XCTAssertEqual(parser.relaxedCoordinates.count, 2)
        XCTAssertEqual(parser.analyses["geometry"]?["atoms"]?.arrayValue?.last?["x"], 1.3575)
        XCTAssertEqual(parser.analyses["total_energy"], ["value": -212.76557, "unit": "eV"])
    }

    func testANonConvergedSCF() throws {
        let parser = try parse("aiida_siesta_plugin/no_scf_conv/aiida.out")
        XCTAssertEqual(parser.verdict(exitCode: 0), .notConverged("the SCF did not converge (SCF_NOT_CONV)"))
        XCTAssertNil(parser.totalEnergy)
        XCTAssertEqual(parser.lastCycle.count, 3)
        XCTAssertEqual(parser.analyses["scf"]?["converged"], false)
    }

    func testANonConvergedRelaxation() throws {
        let parser = try parse("aiida_siesta_plugin/no_geom_conv/aiida.out")
        XCTAssertEqual(parser.verdict(exitCode: 0), .notConverged("the geometry relaxation did not converge (GEOM_NOT_CONV)"))
        XCTAssertGreaterThan(parser.geometrySteps, 1, "one SCF per geometry step")
        XCTAssertFalse(parser.forces.isEmpty)
    }

    func testTheMessagesFileAloneTellsTheFailure() throws {
        var parser = SiestaOutputParser()
        let messages = try String(contentsOf: Self.fixtures.appendingPathComponent("aiida_siesta_plugin/no_scf_conv/MESSAGES"), encoding: .utf8)
        for line in messages.split(separator: "\n") { parser.consume(line) }
        XCTAssertEqual(parser.verdict(exitCode: 0), .notConverged("the SCF did not converge (SCF_NOT_CONV)"))
    }

    func testAConvergedRunWithBandPoints() throws {
        let parser = try parse("aiida_siesta_plugin/bandspoints/aiida.out")
        XCTAssertEqual(parser.verdict(exitCode: 0), .converged)
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("aiida_siesta_plugin/bandspoints/aiida.bands"), encoding: .utf8)
        let bands = try XCTUnwrap(SiestaBandsFile.parse(text))
        XCTAssertEqual(bands["fermi_energy"], -3.5757845533968382)
        XCTAssertEqual(bands["kpoints"]?.arrayValue?.count, 3)
        XCTAssertEqual(bands["bands"]?.arrayValue?.count, 26)
        XCTAssertEqual(bands["bands"]?.arrayValue?.first?.arrayValue?.first, -11.549)
        XCTAssertEqual(bands["kpoints"]?.arrayValue?.first, [0.0, 0.61232, 0.30616])
    }

    func testSIESTA5OutputWithBytesThatAreNotUTF8() throws {
        let parser = try parse("sisl-files/H2O_dipole/RUN.out", messages: false)
        XCTAssertEqual(parser.verdict(exitCode: 0), .converged)
        XCTAssertEqual(parser.totalEnergy, -950.957882)
        XCTAssertEqual(parser.fermiEnergy, -5.542553)
        XCTAssertEqual(parser.lastCycle.count, 12)
        XCTAssertEqual(parser.version, "5.1-MaX-22-g14d40d4d4")
    }
}
