import Foundation

/// Runs the repository's own shell helpers (deploy/local/common.sh), so the tests start MariaDB and
/// nginx exactly as `make run` does.
public enum Shell {
    public static let repository: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The name of this process's group, which nginx's workers (run as this user) are in.
    public static let currentGroup: String = {
        (try? run("id -gn").trimmingCharacters(in: .whitespacesAndNewlines)) ?? "root"
    }()

    public struct Failure: Error, CustomStringConvertible {
        public var script: String
        public var status: Int32
        public var output: String
        public var description: String { "`\(script)` exited \(status): \(output)" }
    }

    @discardableResult
    public static func run(_ script: String, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "source '\(repository)/deploy/local/common.sh'; \(script)"]
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        // A file, not a pipe: background children (mariadbd) would hold a pipe open after bash exits.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-shell-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw Failure(script: script, status: process.terminationStatus, output: text) }
        return text
    }
}

