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
///
/// Mails about calculations that pile up for one person go as one digest (`MailDigestPolicy`): a
/// digest is an outbox row of its own, written in the transaction that marks the mails it holds sent,
/// and then sent as any other.
struct MailSender {
    let transport: MailTransport
    let from: String
    var holder = Lease.processHolder
    var digest = MailDigestPolicy()
    /// Links in digests point here.
    var publicURL = "https://127.0.0.1:8443"
    static let digestKind = "digest"
    /// The most mails one digest holds; the rest go in the next.
    static let digestAtMost = 10_000
    static let maximumAttempts = 8
    static let baseBackoffSeconds = 30
    static let leaseSeconds = 60

    /// Sends what is due, at most `limit` mails; returns how many went out.
    @discardableResult
    func sendDue(on connection: Connection, limit: Int = 20, logger: Logger? = nil) throws -> Int {
        var sent = 0
        for _ in 0..<limit {
            guard let row = try takeNext(on: connection) else { break }
            let recipient = row.string("recipient") ?? ""
            let decision = row.string("kind") == Self.digestKind ? .sendAlone : try decide(for: recipient, on: connection)
            switch decision {
            case .sendAlone:
                if try send(row, on: connection, logger: logger) { sent += 1 }
            case .digest:
                let held = try gatherDigest(for: recipient, on: connection)
                logger?.info("mail_digested", metadata: ["to": "\(recipient)", "mails": "\(held)"])
            case .hold(let seconds):
                try hold(recipient, seconds: seconds, on: connection)
            }
        }
        return sent
    }

    private static let waitingForRecipient = """
        recipient = ? AND sent_at IS NULL AND failed_at IS NULL AND kind <> '\(digestKind)' AND next_attempt_at <= CURRENT_TIMESTAMP(6)
        """
    /// `recipient`'s waiting mails that no other sender has taken (binds the recipient, then the holder).
    private static let waitingForRecipientUntaken = """
        \(waitingForRecipient) AND (claimed_until IS NULL OR claimed_until < CURRENT_TIMESTAMP(6) OR claimed_by = ?)
        """

    private func decide(for recipient: String, on connection: Connection) throws -> MailDigestPolicy.Decision {
        let facts = try connection.queryFirst(
            """
            SELECT (SELECT COUNT(*) FROM outbox WHERE \(Self.waitingForRecipient)) AS waiting,
                   (SELECT TIMESTAMPDIFF(SECOND, MAX(created_at), CURRENT_TIMESTAMP(6)) FROM outbox WHERE recipient = ? AND kind = '\(Self.digestKind)') AS since
            """, [.text(recipient), .text(recipient)])
        return digest.decide(waiting: Int(facts?.int("waiting") ?? 1), secondsSinceLastDigest: facts?.int("since").map { Int($0) })
    }

    /// Writes the digest of `recipient`'s waiting mails and marks them sent with it, in one
    /// transaction; returns how many it holds.
    private func gatherDigest(for recipient: String, on connection: Connection) throws -> Int {
        try connection.transaction { connection in
            let rows = try connection.query(
                """
                SELECT id, kind, calculation_id, subject FROM outbox
                WHERE \(Self.waitingForRecipientUntaken)
                ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
                """, [.text(recipient), .text(holder), .integer(Int64(Self.digestAtMost))])
            guard !rows.isEmpty else { return 0 }
            let mail = CalculationDigestMail(entries: rows.map { row in
                CalculationDigestMail.Entry(kind: row.string("kind") ?? "", calculationID: row.int("calculation_id"), subject: row.string("subject") ?? "")
            }, publicURL: publicURL)
            let digestID = try connection.execute(
                "INSERT INTO outbox (kind, recipient, subject, text_body, html_body) VALUES (?, ?, ?, ?, ?)",
                [.text(Self.digestKind), .text(recipient), .text(String(mail.subject.prefix(500))), .text(mail.text), .text(mail.html)]).lastInsertID
            let ids = rows.compactMap { $0.int("id") }
            for start in stride(from: 0, to: ids.count, by: 1_000) {
                let chunk = ids[start..<min(start + 1_000, ids.count)]
                try connection.execute(
                    """
                    UPDATE outbox SET sent_at = CURRENT_TIMESTAMP(6), digest_id = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))
                    """, [.integer(digestID)] + chunk.map(SQLValue.integer))
            }
            return ids.count
        }
    }

    /// Puts `recipient`'s waiting mails off until their next digest is due.
    private func hold(_ recipient: String, seconds: Int, on connection: Connection) throws {
        try connection.execute(
            """
            UPDATE outbox SET next_attempt_at = GREATEST(next_attempt_at, CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND), claimed_by = NULL, claimed_until = NULL
            WHERE \(Self.waitingForRecipientUntaken)
            """, [.integer(Int64(seconds)), .text(recipient), .text(holder)])
    }

    /// Sends one taken mail; false when it failed (then it is retried later, or marked failed).
    private func send(_ row: Row, on connection: Connection, logger: Logger?) throws -> Bool {
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
            return true
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
            return false
        }
    }

    /// The next due mail, taken for this holder in a transaction of its own; nil when none is due.
    private func takeNext(on connection: Connection) throws -> Row? {
        try connection.transaction { connection in
            guard let row = try connection.queryFirst(
                """
                SELECT id, kind, recipient, subject, text_body, html_body, attempts FROM outbox
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
