/// A deliberately simple address check: one `@`, something on each side, a dot in the domain,
/// no spaces. The real check is the mail that arrives.
public enum EmailAddress {
    public static func normalized(_ text: String) throws(ValidationError) -> String {
        let address = String(text.trimmingWhitespace()).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let valid = parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && address.unicodeScalars.count <= 254 && !address.contains(where: { $0.isWhitespace })
            && ControlCharacters.first(in: address) == nil
            && (parts[1].contains(".") || parts[1] == "localhost")
        guard valid else { throw ValidationError(field: "email", message: "is not an email address like name@example.org") }
        return address
    }
}
