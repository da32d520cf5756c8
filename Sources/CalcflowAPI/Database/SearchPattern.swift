/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` in it taken literally.
enum SearchPattern {
    static func containing(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }
}
