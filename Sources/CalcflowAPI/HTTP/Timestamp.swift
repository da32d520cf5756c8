import Foundation

/// RFC 3339 UTC strings for clients; MariaDB's `DATETIME(6)` text for the database.
public enum Timestamp {
    /// `2026-11-26 10:15:00.123456` → `2026-11-26T10:15:00Z`.
    public static func rfc3339(fromDatabase text: String?) -> String? {
        guard let text, text.count >= 19 else { return nil }
        let seconds = text.prefix(19)
        return seconds.replacingOccurrences(of: " ", with: "T") + "Z"
    }

    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    public static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
