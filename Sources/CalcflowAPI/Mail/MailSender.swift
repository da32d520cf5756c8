import Logging
import CalcflowCore
import Foundation
import HTTPClient
import MariaDB

/// Sends the outbox, each mail once across every API host: a row is first taken for
/// `leaseSeconds` in a committed transaction (on Galera, two hosts taking it through two nodes
/// conflict at commit and the loser takes another), then sent, then marked sent by its taker. A
/// process killed mid-send leaves it to be taken again when the lease has passed; the Message-ID
/// stays the same, so a receiver sees a repeat as one mail. Failures retry with exponential backoff,
/// and are recorded; after `maximumAttempts` the row is marked failed.
struct MailSender {
    let transport: MailTransport
    let from: String
    var holder = Lease.processHolder
    static let maximumAttempts = 8
    static let baseBackoffSeconds = 30
    static let leaseSeconds = 60

    /// Sends what is due, at most `limit` mails; returns how many went out.
    @discardableResult
    func sendDue(on connection: Connection, limit: Int = 20, logger: Logger? = nil) throws -> Int {
        var sent = 0
        for _ in 0..<limit {
            guard let row = try takeNext(on: connection) else { break }
            let id = row.int("id") ?? 0
            let attempts = (row.int("attempts") ?? 0) + 1
            let message = MailMessage(from: from, to: row.string("recipient") ?? "", subject: row.string("subject") ?? "",
                                      text: row.string("text_body") ?? "", html: row.string("html_body") ?? "",
                                      messageID: "outbox-\(id)@calcflow")
            do {
                try transport.send(message)
                try connection.execute(
                    "UPDATE outbox SET sent_at = CURRENT_TIMESTAMP(6), attempts = ?, last_error = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                    [.integer(attempts), .integer(id), .text(holder)])
                logger?.info("mail_sent", metadata: ["outbox": "\(id)", "to": "\(message.to)"])
                sent += 1
            } catch let error as DatabaseError {
                throw error
            } catch {
                let giveUp = attempts >= Self.maximumAttempts
                let delay = min(Self.baseBackoffSeconds << min(attempts - 1, 10), 6 * 3_600)
                try connection.execute(
                    """
                    UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND,
                           failed_at = IF(?, CURRENT_TIMESTAMP(6), NULL), claimed_until = NULL WHERE id = ? AND claimed_by = ?
                    """,
                    [.integer(attempts), .text("\(error)".prefix(codePoints: 2_000)), .integer(Int64(delay)), SQLValue(giveUp), .integer(id), .text(holder)])
                logger?.warning("mail_failed", metadata: [
                    "outbox": "\(id)", "attempt": "\(attempts)", "retry_in": "\(giveUp ? "never" : "\(delay)s")", "error": "\(error)",
                ])
            }
        }
        return sent
    }

    /// The next due mail, taken for this holder in a transaction of its own; nil when none is due.
    private func takeNext(on connection: Connection) throws -> Row? {
        try connection.transaction { connection in
            guard let row = try connection.queryFirst(
                """
                SELECT id, recipient, subject, text_body, html_body, attempts FROM outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= CURRENT_TIMESTAMP(6)
                  AND (claimed_until IS NULL OR claimed_until < CURRENT_TIMESTAMP(6))
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """) else { return nil }
            try connection.execute("UPDATE outbox SET claimed_by = ?, claimed_until = CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = ?",
                                   [.text(holder), .integer(Int64(Self.leaseSeconds)), .integer(row.int("id") ?? 0)])
            return row
        }
    }
}
