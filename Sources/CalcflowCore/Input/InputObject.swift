import JSON

/// Reads a JSON object field by field, with errors that name the field, and refuses fields it was
/// never asked about: a typo in a request is an error, not a silently ignored setting.
public struct InputObject {
    private let members: [String: JSON]
    private let path: String
    private var read: Set<String> = []

    public init(_ value: JSON, path: String = "") throws(ValidationError) {
        guard case .object(let members) = value else {
            throw ValidationError(field: path.isEmpty ? nil : path, message: "expected a JSON object, got \(value.typeName)")
        }
        self.members = members
        self.path = path
    }

    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func contains(_ key: String) -> Bool { members[key] != nil }

    private mutating func value(_ key: String, required: Bool) throws(ValidationError) -> JSON? {
        read.insert(key)
        guard let value = members[key], value != .null else {
            if required { throw ValidationError(field: fieldPath(key), message: "is required") }
            return nil
        }
        return value
    }

    public mutating func string(_ key: String, required: Bool = false, maxLength: Int = 1_000,
                                allowEmpty: Bool = true) throws(ValidationError) -> String? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            throw ValidationError(field: fieldPath(key), message: "expected a string, got \(value.typeName)")
        }
        // Counted as MariaDB counts a column's characters (code points), not as Swift's `count`
        // (letters with their combining marks): what passes here fits the column.
        if text.unicodeScalars.count > maxLength {
            throw ValidationError(field: fieldPath(key), message: "is longer than \(maxLength) characters")
        }
        if !allowEmpty && text.trimmingWhitespace().isEmpty {
            throw ValidationError(field: fieldPath(key), message: "must not be empty")
        }
        return text
    }

    /// The name of something (a calculation, molecule, cluster, user or model): one line of text
    /// without control characters, since names reach mail headers, CSV rows and logs.
    public mutating func name(_ key: String, required: Bool = false, maxLength: Int = 200,
                              allowEmpty: Bool = false) throws(ValidationError) -> String? {
        guard let text = try string(key, required: required, maxLength: maxLength, allowEmpty: allowEmpty) else { return nil }
        if let control = ControlCharacters.first(in: text) {
            throw ValidationError(field: fieldPath(key), message: "must not contain control characters such as line breaks or tabs (found \(control))")
        }
        return text
    }

    public mutating func bool(_ key: String, required: Bool = false) throws(ValidationError) -> Bool? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            throw ValidationError(field: fieldPath(key), message: "expected true or false, got \(value.typeName)")
        }
        return flag
    }

    public mutating func integer(_ key: String, required: Bool = false, range: ClosedRange<Int64>? = nil) throws(ValidationError) -> Int64? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .integer(let number) = value else {
            throw ValidationError(field: fieldPath(key), message: "expected an integer, got \(value.typeName)")
        }
        if let range, !range.contains(number) {
            throw ValidationError(field: fieldPath(key), message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// Any JSON value, for fields whose shape the caller checks itself (nil for absent or null).
    public mutating func json(_ key: String, required: Bool = false) throws(ValidationError) -> JSON? {
        try value(key, required: required)
    }

    /// An object field, whose members the caller reads.
    public mutating func object(_ key: String, required: Bool = false) throws(ValidationError) -> [String: JSON]? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .object(let members) = value else {
            throw ValidationError(field: fieldPath(key), message: "expected an object, got \(value.typeName)")
        }
        return members
    }

    /// A list of strings.
    public mutating func strings(_ key: String, required: Bool = false, maxCount: Int = 1_000) throws(ValidationError) -> [String]? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .array(let items) = value else {
            throw ValidationError(field: fieldPath(key), message: "expected a list of strings, got \(value.typeName)")
        }
        guard items.count <= maxCount else { throw ValidationError(field: fieldPath(key), message: "has more than \(maxCount) items") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw ValidationError(field: "\(fieldPath(key))[\(index)]", message: "expected a string, got \(item.typeName)")
            }
            strings.append(text)
        }
        return strings
    }

    /// A number (integer or not).
    public mutating func number(_ key: String, required: Bool = false) throws(ValidationError) -> Double? {
        guard let value = try value(key, required: required) else { return nil }
        guard let number = value.doubleValue else {
            throw ValidationError(field: fieldPath(key), message: "expected a number, got \(value.typeName)")
        }
        return number
    }

    /// A string that must be one of `T`'s raw values.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, of type: T.Type, required: Bool = false) throws(ValidationError) -> T?
    where T.RawValue == String {
        guard let text = try string(key, required: required) else { return nil }
        guard let chosen = T(rawValue: text) else {
            let allowed = T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw ValidationError(field: fieldPath(key), message: "must be one of \(allowed)")
        }
        return chosen
    }

    /// Call last: any field that no accessor asked for is an error.
    public func rejectUnknownFields() throws(ValidationError) {
        if let unknown = members.keys.filter({ !read.contains($0) }).sorted().first {
            let known = read.sorted().joined(separator: ", ")
            throw ValidationError(field: fieldPath(unknown), message: "is not a known field (known: \(known))")
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var text = self[...]
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
