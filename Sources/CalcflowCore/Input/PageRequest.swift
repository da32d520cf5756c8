import JSON

/// `?limit=` and `?cursor=` of every list. The cursor is opaque to clients: the last id seen, encoded,
/// and for a list sorted by something else, that row's sort key too.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var limit: Int
    public var afterID: Int64?
    /// The sort key of the last row seen, for lists sorted by more than the id.
    public var afterKey: String?

    public init(limit: Int = PageRequest.defaultLimit, afterID: Int64? = nil, afterKey: String? = nil) {
        self.limit = limit
        self.afterID = afterID
        self.afterKey = afterKey
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
        var afterKey: String?
        if let cursor, !cursor.isEmpty {
            guard let decoded = PageRequest.decodeCursor(cursor) else {
                throw ValidationError(field: "cursor", message: "is not a cursor this API gave out; start again without it")
            }
            (afterID, afterKey) = decoded
        }
        self.init(limit: parsedLimit, afterID: afterID, afterKey: afterKey)
    }

    public static func encodeCursor(afterID id: Int64, key: String? = nil) -> String {
        guard let key else { return "i" + String(id, radix: 36) }
        // The key's UTF-8 in hex: any name survives a URL without escaping.
        return "k" + String(id, radix: 36) + "." + key.utf8.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static func decodeCursor(_ cursor: String) -> (id: Int64, key: String?)? {
        switch cursor.first {
        case "i":
            guard let id = Int64(cursor.dropFirst(), radix: 36), id >= 0 else { return nil }
            return (id, nil)
        case "k":
            let parts = cursor.dropFirst().split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let id = Int64(parts[0], radix: 36), id >= 0, parts[1].count % 2 == 0, parts[1].count <= 1600 else { return nil }
            var bytes: [UInt8] = []
            var index = parts[1].startIndex
            while index < parts[1].endIndex {
                let next = parts[1].index(index, offsetBy: 2)
                guard let byte = UInt8(parts[1][index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            guard let key = String(validating: bytes, as: UTF8.self) else { return nil }
            return (id, key)
        default:
            return nil
        }
    }

    /// Builds `{"items": [...], "next_cursor": ...}` from one row more than the limit. `key` gives the
    /// sort key of a row when the list is sorted by more than its id.
    public func page<Item>(of items: [Item], id: (Item) -> Int64, key: ((Item) -> String)? = nil, render: (Item) -> JSON) -> JSON {
        let visible = Array(items.prefix(limit))
        var next: JSON = .null
        if items.count > limit, let last = visible.last {
            next = .string(PageRequest.encodeCursor(afterID: id(last), key: key.map { $0(last) }))
        }
        return ["items": .array(visible.map(render)), "next_cursor": next]
    }
}
