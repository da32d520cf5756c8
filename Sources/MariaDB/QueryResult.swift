public struct QueryResult: Sendable {
    public var rows: [Row]
    public var affectedRows: Int64
    public var lastInsertID: Int64

    public var first: Row? { rows.first }
}
