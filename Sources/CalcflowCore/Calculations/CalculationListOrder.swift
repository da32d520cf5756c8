/// How the calculation list is sorted: `?sort=name`, `?sort=-priority`…, or by id (the order they
/// were created in) through the older `?order=oldest|newest`. Every order ends on the id, so that a
/// cursor (the last row's key and id) pages through it without repeating or skipping a row.
public struct CalculationListOrder: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        case id
        case name
        case priority
    }

    public var key: Key
    public var descending: Bool

    public init(key: Key = .id, descending: Bool = false) {
        self.key = key
        self.descending = descending
    }

    /// `sort` wins when given; `order` says the direction of the id order.
    public init(sort: String?, order: String?) throws(ValidationError) {
        if let sort, !sort.isEmpty {
            let descending = sort.hasPrefix("-")
            guard let key = Key(rawValue: String(descending ? sort.dropFirst() : Substring(sort))) else {
                throw ValidationError(field: "sort", message: "must be one of \(Key.allCases.map(\.rawValue).joined(separator: ", ")), each optionally after '-' for descending")
            }
            self.init(key: key, descending: descending)
            return
        }
        switch order ?? "oldest" {
        case "oldest": self.init(key: .id, descending: false)
        case "newest": self.init(key: .id, descending: true)
        default: throw ValidationError(field: "order", message: "must be oldest or newest")
        }
    }

    /// The query parameter that asks for this order again.
    public var sortParameter: String { (descending ? "-" : "") + key.rawValue }
}
