import Foundation

/// RFC 3339 UTC strings for clients; MariaDB's `DATETIME(6)` text for the database.
public enum Timestamp {
    /// `2026-11-26 10:15:00.123456` → `2026-11-26T10:15:00Z`.
    /// Byte by byte: every row of every list goes through this, and Foundation's string search
    /// showed in profiles.
    public static func rfc3339(fromDatabase text: String?) -> String? {
        guard var bytes = text.map({ Array($0.utf8.prefix(19)) }), bytes.count == 19, bytes[10] == UInt8(ascii: " ") else { return nil }
        bytes[10] = UInt8(ascii: "T")
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    public static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
