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
        return command(calculation, step: step)
    }

    /// xtb on structure.xyz with the configuration's flags, the step's parameters over them.
    func command(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand {
        var parameters = calculation.configuration.objectValue ?? [:]
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

    /// An optimisation that did not converge goes on from the last geometry it wrote (xtbopt.xyz,
    /// written on failure too); an SCC that did not converge is not restarted.
    func prepareRestart(folder: URL, workspace: Workspace) throws -> Bool {
        let last = folder.appendingPathComponent("xtbopt.xyz")
        guard let geometry = try? String(contentsOf: last, encoding: .utf8), (try? XYZStructure.parse(geometry)) != nil else { return false }
        try workspace.write(geometry, to: "structure.xyz", in: folder)
        try? FileManager.default.removeItem(at: last)
        return true
    }

    func restartCommand(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand? {
        let optimisation = ((step.parameters["task"] ?? calculation.configuration["task"])?.stringValue ?? "sp") == "opt"
        return optimisation ? command(calculation, step: step) : nil
    }

    func inspect(_ output: StepOutput, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection {
        var parser = XTBOutputParser()
        let folder = output.folder
        // A run's stderr (xtb writes its abnormal termination there) goes with its stdout.
        var files = [output.file]
        if output.file.lastPathComponent == "stdout.txt" { files.append(folder.appendingPathComponent("stderr.txt")) }
        for file in files {
            LineReader.forEachLine(in: file.path) { parser.consume($0) }
        }
        let optimisation = (step?.parameters["task"]?.stringValue ?? configuration["task"]?.stringValue) == "opt"
        var analyses = parser.analyses
        if optimisation, let geometry = try? String(contentsOf: folder.appendingPathComponent("xtbopt.xyz"), encoding: .utf8) {
            // Written on failure too: then the last geometry reached, not an optimised one.
            analyses["geometry"] = ["format": "xyz", "text": .string(geometry), "final": .bool(parser.optimisationConverged && !parser.optimisationFailed)]
        }
        return StepInspection(verdict: parser.verdict(exitCode: exitCode, optimisation: optimisation), analyses: analyses, printedVersion: parser.version)
    }
}
