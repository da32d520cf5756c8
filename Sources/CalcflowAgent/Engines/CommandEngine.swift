import CalcflowCore
import Foundation
import JSON

/// Any command: a shell script and its files; success is exit code 0.
struct CommandEngine: Engine {
    let shell: String
    let name = "command"
    let largeOutputs: [String] = []
    let defaultCopies = ["*"]
    let analyses = [AnalysisDefinition(name: "exit_status", description: "The script's exit code and the last lines it printed")]
    var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: shell) }
    func version() -> String { shell }

    func prepare(_ calculation: ClaimedCalculation, step: StepPlan.Step, folder: URL, workspace: Workspace) throws -> ExecutorCommand {
        guard let script = calculation.configuration["script"]?.stringValue else { throw EngineError(message: "command needs configuration.script") }
        try workspace.write(TemplateText.render(script, parameters: step.parameters), to: "script.sh", in: folder)
        for (name, content) in calculation.configuration["files"]?.objectValue ?? [:] {
            guard !name.contains("/") else { throw EngineError(message: "file names may not contain '/': \(name)") }
            try workspace.write(content.stringValue ?? "", to: name, in: folder)
        }
        return ExecutorCommand(executable: shell, arguments: ["script.sh"])
    }

    func inspect(_ output: StepOutput, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection {
        var tail: [String] = []
        LineReader.forEachLine(in: output.file.path) { line in
            tail.append(String(line))
            if tail.count > 20 { tail.removeFirst() }
        }
        let verdict: Verdict = exitCode == 0 ? .converged : .failed("the script exited with code \(exitCode)")
        return StepInspection(verdict: verdict, analyses: ["exit_status": ["code": .integer(Int64(exitCode)), "tail": .array(tail.map(JSON.string))]])
    }
}
