import CalcflowCore
import Foundation

/// `?since=` and `?until=`: RFC 3339 (`2026-11-26T10:15:00Z`) or seconds since 1970.
enum TimeParameter {
    static func parse(_ text: String?, field: String) throws(ValidationError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        throw ValidationError(field: field, message: "must be an RFC 3339 time such as 2026-11-26T10:15:00Z")
    }

    /// The `DATETIME(6)` text MariaDB compares with (UTC).
    static func database(_ date: Date) -> String {
        let text = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }
}
