/// What a search box's text becomes in SQL.
enum SearchPattern {
    /// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` in it taken literally.
    static func containing(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }

    /// InnoDB's default full-text stopwords: a required one would match nothing.
    private static let stopwords: Set<String> = [
        "about", "are", "com", "for", "from", "how", "that", "the", "this", "was", "what", "when", "where", "who", "will", "with", "und", "www",
    ]

    /// The words of `text` as a boolean-mode full-text query, each required and matched by its
    /// beginning (`+benz* +0.5*` is not: only letters and digits make words). Nil when no word is
    /// long enough for the index (3 to 84 characters) or not a stopword: the caller then relies on LIKE.
    static func fullTextWords(_ text: String) -> String? {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
            .filter { (3...84).contains($0.count) && !stopwords.contains($0) }
        guard !words.isEmpty else { return nil }
        return words.prefix(20).map { "+\($0)*" }.joined(separator: " ")
    }
}
