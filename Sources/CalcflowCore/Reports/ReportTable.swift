import Foundation
import JSON

/// Extracted data flattened for tables and CSV: scalars become `path = value` rows, numeric
/// series (lists of numbers, or lists of lists for bands) become chart series.
public enum ReportTable {
    public struct Flattened: Sendable {
        public var scalars: [(path: String, value: String)] = []
        public var series: [(path: String, lines: [[Double]])] = []
    }

    public static func flatten(_ value: JSON, path: String = "") -> Flattened {
        var result = Flattened()
        walk(value, path: path, into: &result)
        return result
    }

    private static func walk(_ value: JSON, path: String, into result: inout Flattened) {
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                walk(members[key]!, path: path.isEmpty ? key : "\(path).\(key)", into: &result)
            }
        case .array(let items):
            if !items.isEmpty, items.allSatisfy({ $0.doubleValue != nil }) {
                result.series.append((path, [items.compactMap(\.doubleValue)]))
            } else if !items.isEmpty, items.allSatisfy({ ($0.arrayValue ?? []).allSatisfy { $0.doubleValue != nil } && $0.arrayValue != nil }) {
                result.series.append((path, items.map { ($0.arrayValue ?? []).compactMap(\.doubleValue) }))
            } else {
                for (index, item) in items.enumerated() { walk(item, path: "\(path)[\(index)]", into: &result) }
            }
        case .string(let text): result.scalars.append((path, text))
        case .integer(let number): result.scalars.append((path, String(number)))
        case .number(let number): result.scalars.append((path, String(number)))
        case .bool(let flag): result.scalars.append((path, flag ? "true" : "false"))
        case .null: result.scalars.append((path, ""))
        }
    }

    /// One CSV field, quoted when it must be (RFC 4180). Checked by byte: "\r\n" is one Swift
    /// `Character`, equal to neither "\r" nor "\n". Text that a spreadsheet would read as a formula
    /// (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets a leading `'`; numbers stay as
    /// they are, since "-1.5" is a value, not a formula.
    public static func csvField(_ text: String) -> String {
        var field = text
        if let first = text.utf8.first, formulaStarts.contains(first), Double(text) == nil { field = "'" + text }
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D]

    public static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }
}
