/// Control characters in text that ends up in mail headers, CSV rows and log lines. Checked by
/// Unicode scalar, not by `Character`: "\r\n" is one Swift `Character`, and a check of
/// `Character`s against "\r" and "\n" lets it through.
public enum ControlCharacters {
    /// C0 and C1 controls (DEL included) and the Unicode line and paragraph separators.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// The first control character of `text`, written as `U+000D`, or nil when there is none.
    public static func first(in text: String) -> String? {
        guard let scalar = text.unicodeScalars.first(where: isControl) else { return nil }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
