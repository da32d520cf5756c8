import Logging
import CalcflowCore
import Foundation
import HTTPClient
import MariaDB

/// Sends the outbox. Each row is taken with `FOR UPDATE SKIP LOCKED` and its lock is held while the
/// mail goes out: another process skips it, and a process killed mid-send leaves it for the next
/// one (the Message-ID stays the same, so a receiver sees a repeat as one mail). Failures retry with
/// exponential backoff, and are recorded; after `maximumAttempts` the row is marked failed.
struct MailSender {
    let transport: MailTransport
    let from: String
    static let maximumAttempts = 8
    static let baseBackoffSeconds = 30

    /// Sends what is due, at most `limit` mails; returns how many went out.
    @discardableResult
    func sendDue(on connection: Connection, limit: Int = 20, logger: Logger? = nil) throws -> Int {
        var sent = 0
        for _ in 0..<limit {
            let outcome: Bool? = try connection.transaction { connection in
                guard let row = try connection.queryFirst(
                    """
                    SELECT id, recipient, subject, text_body, html_body, attempts FROM outbox
                    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= CURRENT_TIMESTAMP(6)
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """) else { return nil }
                let id = row.int("id") ?? 0
                let attempts = (row.int("attempts") ?? 0) + 1
                let message = MailMessage(from: from, to: row.string("recipient") ?? "", subject: row.string("subject") ?? "",
                                          text: row.string("text_body") ?? "", html: row.string("html_body") ?? "",
                                          messageID: "outbox-\(id)@calcflow")
                do {
                    try transport.send(message)
                    try connection.execute("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP(6), attempts = ?, last_error = NULL WHERE id = ?",
                                           [.integer(attempts), .integer(id)])
                    logger?.info("mail_sent", metadata: ["outbox": "\(id)", "to": "\(message.to)"])
                    return true
                } catch {
                    let giveUp = attempts >= Self.maximumAttempts
                    let delay = min(Self.baseBackoffSeconds << min(attempts - 1, 10), 6 * 3_600)
                    try connection.execute(
                        """
                        UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND,
                               failed_at = IF(?, CURRENT_TIMESTAMP(6), NULL) WHERE id = ?
                        """,
                        [.integer(attempts), .text("\(error)".prefix(codePoints: 2_000)), .integer(Int64(delay)), SQLValue(giveUp), .integer(id)])
                    logger?.warning("mail_failed", metadata: [
                        "outbox": "\(id)", "attempt": "\(attempts)", "retry_in": "\(giveUp ? "never" : "\(delay)s")", "error": "\(error)",
                    ])
                    return false
                }
            }
            guard let outcome else { break }
            if outcome { sent += 1 }
        }
        return sent
    }
}
