import JSON

/// `{{name}}` in an input template, replaced by the step's parameter `name`.
public enum TemplateText {
    public static func render(_ template: String, parameters: [String: JSON]) -> String {
        var text = template
        for (name, value) in parameters {
            text = text.replacingAll("{{\(name)}}", with: plain(value))
        }
        return text
    }

    /// Parameters the template does not mention.
    public static func unused(_ template: String, parameters: [String: JSON]) -> [String] {
        parameters.keys.filter { !template.contains("{{\($0)}}") }.sorted()
    }

    public static func plain(_ value: JSON) -> String {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .bool(let flag): return flag ? ".true." : ".false."
        case .null: return ""
        default: return value.serializedString()
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var remaining = self[...]
        while let range = remaining.range(of: target) {
            result += remaining[..<range.lowerBound]
            result += replacement
            remaining = remaining[range.upperBound...]
        }
        return result + remaining
    }
}
