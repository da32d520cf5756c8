import Foundation

enum ProcessOutput {
    /// The first line of a command's output that contains `text`, for version strings.
    static func firstLine(_ executable: String, _ arguments: [String], containing text: String) -> String? {
        CommandLine.run(executable, arguments).output.split(separator: "\n").first { $0.contains(text) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
