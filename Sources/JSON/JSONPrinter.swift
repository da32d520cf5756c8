import CJansson

extension JSON {
    /// The compact UTF-8 text of this value, keys sorted so that equal values print equally.
    public func serialized() -> [UInt8] {
        guard let root = JSON.build(self) else { return Array("null".utf8) }
        defer { cjansson_decref(root) }
        let flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | Int32(cjansson_real_precision(17))
        // Most documents fit a first guess; a larger one is printed again at its exact size.
        var capacity = 1_024
        while true {
            var bytes = [UInt8](repeating: 0, count: capacity)
            let size = bytes.withUnsafeMutableBytes { buffer in
                json_dumpb(root, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), capacity, Int(flags))
            }
            if size == 0 { return Array("null".utf8) }
            if size <= capacity {
                bytes.removeLast(capacity - size)
                return bytes
            }
            capacity = size
        }
    }

    public func serializedString() -> String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// Builds a new jansson value; the caller owns the returned reference.
    private static func build(_ value: JSON) -> UnsafeMutablePointer<json_t>? {
        switch value {
        case .null:
            return json_null()
        case .bool(let flag):
            return flag ? json_true() : json_false()
        case .integer(let number):
            return json_integer(json_int_t(number))
        case .number(let number):
            // JSON has no NaN or infinity; null is the honest spelling of "no number".
            return number.isFinite ? json_real(number) : json_null()
        case .string(let text):
            var text = text
            return text.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { characters in
                    guard let base = characters.baseAddress else { return json_string("") }
                    return json_stringn_nocheck(base, characters.count)
                }
            }
        case .array(let elements):
            let array = json_array()
            for element in elements {
                if let built = build(element) { json_array_append_new(array, built) }
            }
            return array
        case .object(let members):
            let object = json_object()
            for (key, member) in members {
                if let built = build(member) {
                    _ = json_object_set_new_nocheck(object, key, built)
                }
            }
            return object
        }
    }
}
