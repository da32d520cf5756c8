import JSON

/// `?limit=` and `?cursor=` of every list. The cursor is opaque to clients: the last id seen, encoded.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var limit: Int
    public var afterID: Int64?

    public init(limit: Int = PageRequest.defaultLimit, afterID: Int64? = nil) {
        self.limit = limit
        self.afterID = afterID
    }

    public init(limit: String?, cursor: String?) throws(ValidationError) {
        var parsedLimit = PageRequest.defaultLimit
        if let limit {
            guard let value = Int(limit), (1...PageRequest.maximumLimit).contains(value) else {
                throw ValidationError(field: "limit", message: "must be an integer from 1 to \(PageRequest.maximumLimit)")
            }
            parsedLimit = value
        }
        var afterID: Int64?
        if let cursor, !cursor.isEmpty {
            guard let id = PageRequest.decodeCursor(cursor) else {
                throw ValidationError(field: "cursor", message: "is not a cursor this API gave out; start again without it")
            }
            afterID = id
        }
        self.init(limit: parsedLimit, afterID: afterID)
    }

    public static func encodeCursor(afterID id: Int64) -> String {
        "i" + String(id, radix: 36)
    }

    static func decodeCursor(_ cursor: String) -> Int64? {
        guard cursor.first == "i", let id = Int64(cursor.dropFirst(), radix: 36), id >= 0 else { return nil }
        return id
    }

    /// Builds `{"items": [...], "next_cursor": ...}` from one row more than the limit.
    public func page<Item>(of items: [Item], id: (Item) -> Int64, render: (Item) -> JSON) -> JSON {
        let visible = Array(items.prefix(limit))
        let next: JSON = items.count > limit ? .string(PageRequest.encodeCursor(afterID: id(visible[visible.count - 1]))) : .null
        return ["items": .array(visible.map(render)), "next_cursor": next]
    }
}
