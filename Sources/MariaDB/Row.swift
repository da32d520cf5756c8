/// One result row. Values arrive as the server's text (or bytes) and are read by column name.
public struct Row: Sendable {
    public let columns: ColumnNames
    public let values: [[UInt8]?]

    public init(columns: ColumnNames, values: [[UInt8]?]) {
        self.columns = columns
        self.values = values
    }

    /// Whether the result has this column at all (reading one it lacks is a programming error).
    public func has(_ column: String) -> Bool { columns.index(of: column) != nil }

    public func isNull(_ column: String) -> Bool { raw(column) == nil }

    public func bytes(_ column: String) -> [UInt8]? { raw(column) }

    public func string(_ column: String) -> String? {
        raw(column).map { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ column: String) -> Int64? { string(column).flatMap { Int64($0) } }

    public func double(_ column: String) -> Double? { string(column).flatMap { Double($0) } }

    public func bool(_ column: String) -> Bool { int(column).map { $0 != 0 } ?? false }

    private func raw(_ column: String) -> [UInt8]? {
        guard let index = columns.index(of: column) else {
            preconditionFailure("no column '\(column)' in result; columns are \(columns.names)")
        }
        return values[index]
    }
}

/// The column names of a result, shared by all its rows.
public final class ColumnNames: Sendable {
    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    public func index(of name: String) -> Int? { positions[name] }
}
