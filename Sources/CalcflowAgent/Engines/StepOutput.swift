import Foundation

/// The output a step's verdict is read from: the step's folder (inputs, companion files such as
/// SIESTA's MESSAGES) and the one file that holds the code's output. A run reads the `stdout.txt` the
/// agent wrote; `calcflow-agent inspect` reads the file it is given, or says which one it chose.
struct StepOutput {
    var folder: URL
    var file: URL
    /// Why `file` was chosen, when `inspect` chose it in a folder.
    var choice: String?

    /// The step's own output, as the agent writes it.
    static func ofStep(in folder: URL) -> StepOutput {
        StepOutput(folder: folder, file: folder.appendingPathComponent("stdout.txt"), choice: nil)
    }

    /// For `inspect`: a file is read as given; in a folder, the agent's `stdout.txt` when there is
    /// one, else the only (or the newest) file ending in `suffix`, with the reason.
    static func chosen(at path: String, suffix: String) throws -> StepOutput {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EngineError(message: "\(path) does not exist")
        }
        guard isDirectory.boolValue else { return StepOutput(folder: url.deletingLastPathComponent(), file: url, choice: nil) }
        let own = url.appendingPathComponent("stdout.txt")
        if FileManager.default.fileExists(atPath: own.path) {
            return StepOutput(folder: url, file: own, choice: "stdout.txt: the step's own output, as the agent wrote it")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }
        guard !names.isEmpty else { throw EngineError(message: "\(path) has no stdout.txt and no *\(suffix) file; name the output file") }
        if names.count == 1 {
            return StepOutput(folder: url, file: url.appendingPathComponent(names[0]), choice: "\(names[0]): the only *\(suffix) file in the folder")
        }
        func modified(_ name: String) -> Date {
            ((try? FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path))?[.modificationDate] as? Date) ?? .distantPast
        }
        let newest = names.max { (modified($0), $1) < (modified($1), $0) }!
        return StepOutput(folder: url, file: url.appendingPathComponent(newest),
                          choice: "\(newest): the newest of \(names.count) *\(suffix) files (\(names.sorted().joined(separator: ", "))); name a file to read another")
    }
}
