import CalcflowCore
import Foundation
import JSON

/// One numerical code: how to lay out a step's inputs, how to run it, how to tell whether it
/// converged, and what to extract from its output.
protocol Engine: Sendable {
    var name: String { get }
    /// The analyses it offers, with `requires`.
    var analyses: [AnalysisDefinition] { get }
    /// Raw outputs deleted after extraction unless the calculation keeps them.
    var largeOutputs: [String] { get }
    /// The files that `copy_from` copies when a step names none.
    var defaultCopies: [String] { get }
    /// Whether the executable is here.
    var isAvailable: Bool { get }
    func version() -> String
    /// Writes the step's inputs into `folder` and returns what to run there.
    func prepare(_ calculation: ClaimedCalculation, step: StepPlan.Step, folder: URL, workspace: Workspace) throws -> ExecutorCommand
    /// Changes a non-converged step's input so that it goes on from its own files (SIESTA's .DM, QE's
    /// save folder); false when the engine cannot.
    func prepareRestart(folder: URL, workspace: Workspace) throws -> Bool
    /// What a restart runs: the step's command, its inputs as `prepareRestart` left them.
    func restartCommand(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand?
    /// The file name ending that its output files have, for `inspect` to choose among.
    var outputSuffix: String { get }
    /// The verdict and the extracted analyses of a finished step, from its output file.
    func inspect(_ output: StepOutput, exitCode: Int32, step: StepPlan.Step?, configuration: JSON) -> StepInspection
}

/// What a finished step's output says.
struct StepInspection {
    var verdict: Verdict
    var analyses: [String: JSON]
    /// The code's version as it printed it, when it did.
    var printedVersion: String?
}

extension Engine {
    var outputSuffix: String { ".out" }
    func prepareRestart(folder: URL, workspace: Workspace) throws -> Bool { false }
    func restartCommand(_ calculation: ClaimedCalculation, step: StepPlan.Step) -> ExecutorCommand? { nil }
}

struct EngineError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
