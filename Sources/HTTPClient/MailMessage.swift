import Foundation

/// A mail with a plain-text and an HTML part, as MIME.
public struct MailMessage: Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    /// Stable per outbox row, so that a receiver can tell a repeat from a new mail.
    public var messageID: String

    public init(from: String, to: String, subject: String, text: String, html: String, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
    }

    /// The bare address of `Name <address>` or `address`.
    static func address(_ mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close])
        }
        return mailbox.trimmingCharacters(in: .whitespaces)
    }

    /// A header value that cannot start a header of its own: control characters become spaces,
    /// checked by Unicode scalar ("\r\n" is a single `Character`, so a check by `Character` misses it).
    static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
            scalars.append(isControl ? " " : scalar)
        }
        return String(scalars)
    }

    /// RFC 2047 for headers that are not plain ASCII: UTF-8 in base64 encoded words of at most 75
    /// characters each, split between characters, never inside one.
    static func encodedHeader(_ text: String) -> String {
        let line = singleLine(text)
        if line.unicodeScalars.allSatisfy({ $0.isASCII }) { return line }
        // "=?UTF-8?B?" + "?=" take 12 of the 75; 63 base64 characters carry 45 bytes at most (in 3s).
        let maximumBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in line {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maximumBytes {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        // Folded: each word on a continuation line of its own.
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    public func mime(date: Date = Date()) -> [UInt8] {
        let boundary = "calcflow-\(UUID().uuidString)"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let lines = [
            "From: \(Self.singleLine(from))",
            "To: \(Self.singleLine(to))",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(Self.singleLine(messageID))>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(text),
            "--\(boundary)",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            Self.base64Lines(html),
            "--\(boundary)--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }
}
