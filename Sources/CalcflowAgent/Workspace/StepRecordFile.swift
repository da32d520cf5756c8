import CalcflowCore
import Foundation

/// `calcflow.step.json` in a step's folder: the step's `StepRecord`, written (atomically) after every
/// change of its lifecycle. An agent that restarts reads it back and goes on where the step was.
enum StepRecordFile {
    static func write(_ record: StepRecord, in folder: URL) throws {
        try JSONEncoder().encode(record).write(to: folder.appendingPathComponent(StepFiles.record), options: .atomic)
    }

    /// Nil when the step has no record yet. A step an agent before 2026-12 reported has only its
    /// verdict (`calcflow.reported`, JSON or, before that, plain text): it reads as finished with it.
    static func read(in folder: URL) -> StepRecord? {
        if let data = try? Data(contentsOf: folder.appendingPathComponent(StepFiles.record)) {
            return try? JSONDecoder().decode(StepRecord.self, from: data)
        }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(StepFiles.legacyVerdict)) else { return nil }
        let verdict = (try? JSONDecoder().decode(Verdict.self, from: data)) ?? {
            let text = String(decoding: data, as: UTF8.self)
            return text.hasPrefix("converged") ? .converged : .failed(text)
        }()
        return StepRecord(phase: .finished, verdict: verdict)
    }
}
