import CalcflowCore
import Foundation
import JSON

/// Quantum ESPRESSO's pw.x: the input from the configuration's template, with `outdir` and
/// `pseudo_dir` set by the agent and the UPF files looked up in the pseudopotential folder.
struct QuantumEspressoEngine: Engine {
    let executable: String
    let pseudoDirectory: String
    let name = "qe"
    let largeOutputs = ["out", "*.wfc*", "*.mix*"]
    let defaultCopies = ["out"]
    let analyses = [
        AnalysisDefinition(name: "scf", description: "SCF convergence: iterations and the energy of each (eV)"),
        AnalysisDefinition(name: "total_energy", requires: ["scf"], description: "Total energy (eV)"),
        AnalysisDefinition(name: "fermi_energy", requires: ["scf"], description: "Fermi energy or highest occupied level (eV)"),
        AnalysisDefinition(name: "bands", requires: ["scf"], description: "A bands step after the SCF, with the SCF's save folder copied"),
        AnalysisDefinition(name: "forces", requires: ["scf"], description: "Atomic forces (eV/Ang), with tprnfor or a relaxation"),
        AnalysisDefinition(name: "geometry", requires: ["scf"], description: "Final coordinates of a relaxation"),
        AnalysisDefinition(name: "timing", description: "Wall time"),
    ]

    var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    func version() -> String { "pw.x (Quantum ESPRESSO)" }

    func prepare(_ calculation: ClaimedCalculation, step: StepPlan.Step, folder: URL, workspace: Workspace) throws -> ExecutorCommand {
        guard let template = calculation.configuration["input"]?.stringValue else { throw EngineError(message: "qe needs configuration.input") }
        for name in (calculation.configuration["pseudopotentials"]?.arrayValue ?? []).compactMap(\.stringValue) {
            guard FileManager.default.fileExists(atPath: "\(pseudoDirectory)/\(name)") else {
                throw EngineError(message: "pseudopotential \(name) is not in \(pseudoDirectory)")
            }
        }
        // Checked as rendered: a step's parameter could carry `, outdir='/elsewhere/'` into the template.
        let rendered = TemplateText.render(template, parameters: step.parameters)
        do { try QuantumEspressoInput.checkAgentOwnedVariables(rendered) } catch {
            throw EngineError(message: "step \(step.name): the pw.x input \(error.message)")
        }
        let input = Self.withPaths(rendered, pseudoDirectory: pseudoDirectory)
        try workspace.write(input, to: "pw.in", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        return ExecutorCommand(executable: executable, arguments: ["-in", "pw.in"])
    }

    /// A card (`ATOMIC_POSITIONS`, `CELL_PARAMETERS`) of a pw.x input replaced by `card` (header and
    /// rows), or appended when the input has none. A card ends at a blank line or the next card.
    static func replacingCard(_ name: String, in input: String, with card: [String]) -> String {
        let cards = ["ATOMIC_SPECIES", "ATOMIC_POSITIONS", "K_POINTS", "CELL_PARAMETERS", "OCCUPATIONS", "CONSTRAINTS", "ATOMIC_FORCES",
                     "ADDITIONAL_K_POINTS", "SOLVENTS", "HUBBARD"]
        var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).uppercased().hasPrefix(name) }) else {
            return input + (input.hasSuffix("\n") ? "" : "\n") + card.joined(separator: "\n") + "\n"
        }
        var end = start + 1
        while end < lines.count {
            let trimmed = lines[end].trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || cards.contains(where: { trimmed.uppercased().hasPrefix($0) }) || trimmed.hasPrefix("&") { break }
            end += 1
        }
        lines.replaceSubrange(start..<end, with: card)
        return lines.joined(separator: "\n")
    }

    func restartCommand(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand? { ExecutorCommand(executable: executable, arguments: ["-in", "pw.in"]) }

    /// A relaxation goes on from the last geometry it reached (its last ATOMIC_POSITIONS and, for
    /// vc-relax, CELL_PARAMETERS); an SCF reads the charge density and wavefunctions the last run saved.
    func prepareRestart(folder: URL, workspace: Workspace) throws -> Bool {
        let path = folder.appendingPathComponent("pw.in")
        guard let input = try? String(contentsOf: path, encoding: .utf8) else { return false }
        let calculation = QuantumEspressoOutputParser.calculation(ofInput: input)
        if calculation == "relax" || calculation == "vc-relax" {
            var parser = QuantumEspressoOutputParser()
            LineReader.forEachLine(in: folder.appendingPathComponent("stdout.txt").path) { parser.consume($0) }
            guard parser.lastPositionsCard.count > 1 else { return false }
            var text = Self.replacingCard("ATOMIC_POSITIONS", in: input, with: parser.lastPositionsCard)
            if calculation == "vc-relax" && parser.lastCellCard.count > 1 {
                text = Self.replacingCard("CELL_PARAMETERS", in: text, with: parser.lastCellCard)
            }
            try workspace.write(text, to: "pw.in", in: folder)
            // The previous run's output stays beside it, for the record.
            let previous = folder.appendingPathComponent("stdout.txt")
            let kept = folder.appendingPathComponent("stdout.before-restart-\(Int(Date().timeIntervalSince1970)).txt")
            try? FileManager.default.moveItem(at: previous, to: kept)
            return true
        }
        var lines: [String] = []
        for line in input.split(separator: "\n", omittingEmptySubsequences: false) {
            let key = line.trimmingCharacters(in: .whitespaces).lowercased()
            if key.hasPrefix("startingpot") || key.hasPrefix("startingwfc") { continue }
            lines.append(String(line))
            if key.hasPrefix("&electrons") {
                lines.append("  startingpot = 'file'")
                lines.append("  startingwfc = 'file'")
            }
        }
        try workspace.write(lines.joined(separator: "\n"), to: "pw.in", in: folder)
        return true
    }

    /// Sets `outdir` and `pseudo_dir` first in &CONTROL (the input was checked to set neither), right
    /// after the namelist's name, so that it holds even when the whole namelist is on one line.
    static func withPaths(_ input: String, pseudoDirectory: String) -> String {
        let paths = "\n  outdir = './out'\n  pseudo_dir = '\(pseudoDirectory)'\n"
        let text = input.hasSuffix("\n") ? input : input + "\n"
        guard let control = text.range(of: "&control", options: .caseInsensitive) else { return "&CONTROL" + paths + "/\n" + text }
        return String(text[..<control.upperBound]) + paths + String(text[control.upperBound...])
    }

    func inspect(_ output: StepOutput, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection {
        var parser = QuantumEspressoOutputParser()
        LineReader.forEachLine(in: output.file.path) { parser.consume($0) }
        // The input says what was asked for; without one (an output copied in), the output tells a relaxation.
        let input = (try? String(contentsOf: output.folder.appendingPathComponent("pw.in"), encoding: .utf8)) ?? ""
        let calculation = QuantumEspressoOutputParser.calculation(ofInput: input)
        return StepInspection(verdict: parser.verdict(exitCode: exitCode, calculation: calculation), analyses: parser.analyses,
                              printedVersion: parser.version.map { "PWSCF \($0)" })
    }
}
