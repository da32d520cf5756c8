import Foundation

enum ProcessOutput {
    /// The first line of a command's output that contains `text`, for version strings.
    static func firstLine(_ executable: String, _ arguments: [String], containing text: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-version-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        try? handle.close()
        let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return output.split(separator: "\n").first { $0.contains(text) }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
