import Foundation

/// The CPU time a step's command used, user and system, its children's included: the shell that ran
/// it appends its `times` to `calcflow.cpu` after every run, restarts included, so the total survives
/// an agent that was away and is there for Slurm jobs too.
enum CPUTimeFile {
    static let name = StepFiles.cpuTime

    /// The shell line that appends the running shell's `times`: a line for itself, then one for its children.
    static let record = "times >> \(name)"

    /// The seconds of every run recorded in the folder; nil when none was.
    static func seconds(in folder: URL) -> Double? {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        // Each run wrote two lines; the second holds its children: the command and what it started.
        let children = stride(from: 1, to: lines.count, by: 2).map { lines[$0] }
        guard !children.isEmpty else { return nil }
        return children.reduce(0) { total, line in total + line.split(separator: " ").compactMap(duration).reduce(0, +) }
    }

    /// `1m2.500000s` (dash) or `1m2.500s` (bash) in seconds.
    static func duration(_ word: Substring) -> Double? {
        guard word.hasSuffix("s"), let minuteMark = word.firstIndex(of: "m"),
              let minutes = Double(word[..<minuteMark]),
              let seconds = Double(word[word.index(after: minuteMark)..<word.index(before: word.endIndex)]) else { return nil }
        return minutes * 60 + seconds
    }
}
