import CalcflowCore
import Foundation
import JSON

/// xtb: an xyz structure and command-line flags.
struct XTBEngine: Engine {
    let executable: String
    let name = "xtb"
    let largeOutputs = ["xtbrestart", "wbo", "charges", "xtbtopo.mol"]
    let defaultCopies = ["xtbrestart"]
    let analyses = [
        AnalysisDefinition(name: "scf", description: "SCC convergence: iterations and the energy of each (eV)"),
        AnalysisDefinition(name: "total_energy", requires: ["scf"], description: "Total energy (eV)"),
        AnalysisDefinition(name: "geometry", requires: ["scf"], description: "Optimised geometry (xyz), for task opt"),
        AnalysisDefinition(name: "timing", description: "Wall time"),
    ]

    var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    func version() -> String {
        ProcessOutput.firstLine(executable, ["--version"], containing: "xtb version") ?? "xtb"
    }

    func prepare(_ calculation: ClaimedCalculation, step: StepPlan.Step, folder: URL, workspace: Workspace) throws -> ExecutorCommand {
        let configuration = calculation.configuration
        guard let structure = configuration["structure"]?["text"]?.stringValue ?? calculation.moleculeStructure else {
            throw EngineError(message: "xtb needs configuration.structure or the calculation's molecule")
        }
        _ = try XYZStructure.parse(structure)
        try workspace.write(structure.hasSuffix("\n") ? structure : structure + "\n", to: "structure.xyz", in: folder)
        var parameters = configuration.objectValue ?? [:]
        for (key, value) in step.parameters { parameters[key] = value }
        var arguments = ["structure.xyz"]
        let method = parameters["method"]?.stringValue ?? "gfn2"
        switch method {
        case "gfnff": arguments.append("--gfnff")
        default: arguments += ["--gfn", String(method.dropFirst(3))]
        }
        arguments += ["--chrg", String(parameters["charge"]?.integerValue ?? 0), "--uhf", String(parameters["uhf"]?.integerValue ?? 0)]
        if let iterations = parameters["iterations"]?.integerValue { arguments += ["--iterations", String(iterations)] }
        if (parameters["task"]?.stringValue ?? "sp") == "opt" {
            arguments.append("--opt")
            if let cycles = parameters["cycles"]?.integerValue { arguments += ["--cycles", String(cycles)] }
        }
        return ExecutorCommand(executable: executable, arguments: arguments)
    }

    func inspect(folder: URL, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection {
        var parser = XTBOutputParser()
        for file in ["stdout.txt", "stderr.txt"] {
            LineReader.forEachLine(in: folder.appendingPathComponent(file).path) { parser.consume($0) }
        }
        let optimisation = (step?.parameters["task"]?.stringValue ?? configuration["task"]?.stringValue) == "opt"
        var analyses = parser.analyses
        if optimisation, let geometry = try? String(contentsOf: folder.appendingPathComponent("xtbopt.xyz"), encoding: .utf8) {
            analyses["geometry"] = ["format": "xyz", "text": .string(geometry)]
        }
        return StepInspection(verdict: parser.verdict(exitCode: exitCode, optimisation: optimisation), analyses: analyses, printedVersion: parser.version)
    }
}
