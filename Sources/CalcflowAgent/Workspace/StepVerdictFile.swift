import CalcflowCore
import Foundation

/// `calcflow.reported` in a step's folder: the verdict its results were reported with. An agent that
/// restarts finds it and goes on from the next step instead of running this one again, with the
/// verdict as it was: a step that did not converge stays not converged.
enum StepVerdictFile {
    static let name = StepFiles.verdict

    static func write(_ verdict: Verdict, in folder: URL) throws {
        try JSONEncoder().encode(verdict).write(to: folder.appendingPathComponent(name), options: .atomic)
    }

    /// Nil when the step was not reported yet.
    static func read(in folder: URL) -> Verdict? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
        if let verdict = try? JSONDecoder().decode(Verdict.self, from: data) { return verdict }
        // Written by an agent before 2026-12: "converged", or the reason alone.
        let text = String(decoding: data, as: UTF8.self)
        return text.hasPrefix("converged") ? .converged : .failed(text)
    }
}
