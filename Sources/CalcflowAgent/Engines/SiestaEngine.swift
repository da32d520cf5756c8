import CalcflowCore
import Foundation
import JSON

/// SIESTA: the fdf from the configuration's template, the step's other parameters appended as fdf
/// lines, and the `.psf`/`.psml` files copied from the pseudopotential library.
struct SiestaEngine: Engine {
    let executable: String
    let pseudoDirectory: String
    let name = "siesta"
    let largeOutputs = ["*.WFSX", "*.WFS", "*.HSX", "*.TSHS", "*.TSDE", "*.RHO", "*.VH", "*.VT", "*.DRHO", "*.LDOS", "*.fullBZ.WFSX"]
    let defaultCopies = ["*.DM", "*.XV"]
    let analyses = [
        AnalysisDefinition(name: "scf", description: "SCF convergence of the last geometry step: E_KS per iteration (eV)"),
        AnalysisDefinition(name: "total_energy", requires: ["scf"], description: "Final total energy (eV)"),
        AnalysisDefinition(name: "fermi_energy", requires: ["scf"], description: "Fermi energy (eV)"),
        AnalysisDefinition(name: "forces", requires: ["scf"], description: "Atomic forces (eV/Ang)"),
        AnalysisDefinition(name: "geometry", requires: ["scf"], description: "Relaxed coordinates (Ang)"),
        AnalysisDefinition(name: "bands", requires: ["scf"], description: "Band structure from the .bands file"),
        AnalysisDefinition(name: "timing", description: "Wall time"),
    ]

    var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }
    func version() -> String { "siesta" }

    func prepare(_ calculation: ClaimedCalculation, step: StepPlan.Step, folder: URL, workspace: Workspace) throws -> ExecutorCommand {
        guard let template = calculation.configuration["fdf"]?.stringValue else { throw EngineError(message: "siesta needs configuration.fdf") }
        try workspace.write(Self.fdf(template, parameters: step.parameters), to: "input.fdf", in: folder)
        for name in (calculation.configuration["pseudopotentials"]?.arrayValue ?? []).compactMap(\.stringValue) {
            let source = URL(fileURLWithPath: pseudoDirectory).appendingPathComponent(name)
            guard !name.contains("/"), FileManager.default.fileExists(atPath: source.path) else {
                throw EngineError(message: "pseudopotential \(name) is not in \(pseudoDirectory)")
            }
            let target = try workspace.inside(folder.appendingPathComponent(name))
            if !FileManager.default.fileExists(atPath: target.path) { try FileManager.default.copyItem(at: source, to: target) }
        }
        return ExecutorCommand(executable: executable, arguments: [], stdinFile: "input.fdf")
    }

    func restartCommand(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand? { ExecutorCommand(executable: executable, arguments: [], stdinFile: "input.fdf") }

    /// The next run starts from the density matrix the last one saved.
    func prepareRestart(folder: URL, workspace: Workspace) throws -> Bool {
        let path = folder.appendingPathComponent("input.fdf")
        guard let fdf = try? String(contentsOf: path, encoding: .utf8) else { return false }
        // The density matrix it saved, and for a relaxation the last geometry it reached (its .XV file).
        var text = fdf.hasSuffix("\n") ? fdf : fdf + "\n"
        for line in ["DM.UseSaveDM true", "MD.UseSaveXV true"] where !text.contains(line) { text += line + "\n" }
        if text != fdf { try workspace.write(text, to: "input.fdf", in: folder) }
        return true
    }

    /// `{{name}}` replaced by parameters; the parameters the template does not mention appended as `name value`.
    static func fdf(_ template: String, parameters: [String: JSON]) -> String {
        var text = TemplateText.render(template, parameters: parameters)
        let extra = TemplateText.unused(template, parameters: parameters)
        if !extra.isEmpty {
            if !text.hasSuffix("\n") { text += "\n" }
            text += "# Step parameters (Calcflow)\n" + extra.map { "\($0) \(TemplateText.plain(parameters[$0]!))" }.joined(separator: "\n") + "\n"
        }
        return text
    }

    func inspect(_ output: StepOutput, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection {
        var parser = SiestaOutputParser()
        let folder = output.folder
        // SIESTA's MESSAGES file is the same run's: it tells failures the main output may not.
        for path in [output.file.path, folder.appendingPathComponent("MESSAGES").path] {
            LineReader.forEachLineOfBytes(in: path, wants: { parser.wants(firstByte: $0) }) { parser.consume(bytes: $0) }
        }
        var analyses = parser.analyses
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        if let bandsFile = names.first(where: { $0.hasSuffix(".bands") }),
           let text = try? String(contentsOf: folder.appendingPathComponent(bandsFile), encoding: .utf8),
           let bands = SiestaBandsFile.parse(text) {
            analyses["bands"] = bands
        }
        return StepInspection(verdict: parser.verdict(exitCode: exitCode), analyses: analyses, printedVersion: parser.version.map { "SIESTA \($0)" })
    }
}
