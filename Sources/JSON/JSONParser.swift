import CJansson

extension JSON {
    /// Parses a whole document. Duplicate keys are refused: a body that says two things is not guessed at.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSON {
        var error = json_error_t()
        let flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY
        let root: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { json_loadb($0, buffer.count, Int(flags), &error) }
            } ?? json_loadb("", 0, Int(flags), &error)
        }.map { OpaquePointer($0) }
        guard let root else {
            let text = withUnsafePointer(to: &error) { String(cString: cjansson_error_text($0)) }
            let line = withUnsafePointer(to: &error) { Int(cjansson_error_line($0)) }
            let column = withUnsafePointer(to: &error) { Int(cjansson_error_column($0)) }
            throw JSONError(message: text, line: line, column: column)
        }
        defer { cjansson_decref(UnsafeMutablePointer(root)) }
        return convert(UnsafeMutablePointer(root))
    }

    public static func parse(_ text: String) throws(JSONError) -> JSON {
        try parse(Array(text.utf8))
    }

    private static func convert(_ value: UnsafeMutablePointer<json_t>) -> JSON {
        switch cjansson_typeof(value) {
        case JSON_OBJECT:
            var members: [String: JSON] = [:]
            members.reserveCapacity(json_object_size(value))
            var iterator = json_object_iter(value)
            while let current = iterator {
                let key = String(cString: json_object_iter_key(current))
                if let member = json_object_iter_value(current) {
                    members[key] = convert(member)
                }
                iterator = json_object_iter_next(value, current)
            }
            return .object(members)
        case JSON_ARRAY:
            let count = json_array_size(value)
            var elements: [JSON] = []
            elements.reserveCapacity(count)
            for index in 0..<count {
                if let element = json_array_get(value, index) { elements.append(convert(element)) }
            }
            return .array(elements)
        case JSON_STRING:
            let length = json_string_length(value)
            guard let characters = json_string_value(value) else { return .string("") }
            let buffer = UnsafeRawBufferPointer(start: characters, count: length)
            return .string(String(decoding: buffer, as: UTF8.self))
        case JSON_INTEGER:
            return .integer(Int64(json_integer_value(value)))
        case JSON_REAL:
            return .number(json_real_value(value))
        case JSON_TRUE:
            return .bool(true)
        case JSON_FALSE:
            return .bool(false)
        default:
            return .null
        }
    }
}
