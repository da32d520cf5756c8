import Foundation

/// `key = value` lines, `#` comments, and `CALCFLOW_KEY` environment variables that override them.
public struct ConfigurationFile: Sendable {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    public private(set) var values: [String: String]
    /// Where each value came from, for messages: "file:12" or "CALCFLOW_THREADS".
    public private(set) var origins: [String: String]

    public init(values: [String: String] = [:]) {
        self.values = values
        self.origins = values.mapValues { _ in "default" }
    }

    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) -> ConfigurationFile {
        var file = ConfigurationFile()
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(message: "cannot read the config file \(path)")
            }
            try file.parse(String(decoding: data, as: UTF8.self), name: path)
        }
        for (name, value) in environment where name.hasPrefix("CALCFLOW_") {
            let key = name.dropFirst("CALCFLOW_".count).lowercased()
            file.values[key] = value
            file.origins[key] = name
        }
        return file
    }

    mutating func parse(_ text: String, name: String) throws(Problem) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw Problem(message: "\(name):\(index + 1): expected 'key = value', found '\(line)'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            values[key] = value
            origins[key] = "\(name):\(index + 1)"
        }
    }

    public func string(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ key: String, default fallback: String) -> String { string(key) ?? fallback }

    public func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let text = string(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(message: "\(key) (\(origins[key] ?? "?")) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A secret given inline or, better, as `KEY_file` naming a file that holds it.
    public func secret(_ key: String) throws(Problem) -> String? {
        if let path = string("\(key)_file") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(message: "\(key)_file (\(origins["\(key)_file"] ?? "?")): cannot read \(path)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return string(key)
    }
}
