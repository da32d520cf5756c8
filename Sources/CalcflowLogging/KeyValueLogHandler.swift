import CalcflowCore
import Foundation
import Logging

/// The one formatter of every daemon's log lines: `time level=... event=<message> key=value ...`,
/// one line per event. Every value is escaped here, once: a value with a space, a quote, an `=` or
/// any control character is quoted, and line breaks and other controls are written as escapes, so
/// no input (an email at sign-in, a User-Agent, a name) can start a line of its own or forge a key.
public struct KeyValueLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = KeyValueLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    /// Makes this handler every logger's, once per process, and returns the daemon's logger.
    public static func bootstrap(label: String, level: Logger.Level = .info) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = KeyValueLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.timestamp() + " level=" + event.level.rawValue + " event=" + Self.escaped(event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            line += " " + Self.escapedKey(key) + "=" + Self.escaped(Self.text(merged[key]!))
        }
        write(line + "\n")
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let items): return items.map(text).joined(separator: ",")
        case .dictionary(let members): return members.keys.sorted().map { "\($0):\(text(members[$0]!))" }.joined(separator: ",")
        }
    }

    /// Bare when it is a plain token; otherwise quoted, with `\`, `"` and every control character escaped.
    public static func escaped(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\" || ControlCharacters.isControl(scalar)
        }
        guard needsQuotes else { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if ControlCharacters.isControl(scalar) {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// Keys are the code's own, but kept to one token all the same.
    static func escapedKey(_ key: String) -> String {
        String(key.unicodeScalars.map { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" ? Character(scalar) : "_"
        })
    }

    static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
