import CalcflowCore
import JSON
import MariaDB

/// Writes the mails a state change causes, in the caller's transaction: the change and its mails
/// commit together or not at all.
struct Outbox {
    let connection: Connection
    let publicURL: String
    /// The worker thread's list of moderators and admins, kept while no user changes.
    var staffCache: ThreadCache<Int, [NotificationPolicy.Person]>? = nil

    private static func person(_ row: Row) -> NotificationPolicy.Person {
        NotificationPolicy.Person(id: row.int("id") ?? 0, email: row.string("email") ?? "",
                                  role: row.string("role").flatMap(Role.init(rawValue:)) ?? .user,
                                  level: row.string("email_level").flatMap(EmailLevel.init(rawValue:)) ?? .info)
    }

    private func staff() throws -> [NotificationPolicy.Person] {
        let read = { () throws -> [NotificationPolicy.Person] in
            try connection.query("SELECT id, email, role, email_level FROM users WHERE deleted_at IS NULL AND blocked = 0 AND role IN ('admin', 'moderator')")
                .map(Outbox.person)
        }
        guard let staffCache else { return try read() }
        return try staffCache.value(for: 0, load: read) ?? []
    }

    /// The mail a notification causes: one message, to each of its recipients.
    struct Letter {
        var kind: String
        var recipients: [String]
        var mail: CalculationMail

        /// The recipients as the JSON array that the outbox insert reads with `JSON_TABLE`.
        var recipientList: String { JSON.array(recipients.map(JSON.string)).serializedString() }
    }

    /// Who gets mail about `notification` on `calculation`, and what it says; nil when nobody does.
    func letter(_ notification: CalculationLifecycle.Notification, calculation: CalculationRecord) throws -> Letter? {
        let staff = try staff()
        var creator = staff.first { $0.id == calculation.createdBy }
        if creator == nil {
            creator = try connection.queryFirst("SELECT id, email, role, email_level FROM users WHERE id = ? AND deleted_at IS NULL AND blocked = 0",
                                                [.integer(calculation.createdBy)]).map(Outbox.person)
        }
        let recipients = NotificationPolicy.recipients(of: notification, creator: creator, staff: staff)
        guard !recipients.isEmpty else { return nil }
        return Letter(kind: notification.rawValue, recipients: recipients.map(\.email),
                      mail: CalculationMail(notification: notification, calculation: calculation, publicURL: publicURL))
    }

    /// Queues one mail per recipient, in one statement; returns how many.
    @discardableResult
    func enqueue(_ notification: CalculationLifecycle.Notification, calculation: CalculationRecord) throws -> Int {
        guard let letter = try letter(notification, calculation: calculation) else { return 0 }
        try connection.execute(
            """
            INSERT INTO outbox (kind, calculation_id, recipient, subject, text_body, html_body)
            SELECT ?, ?, recipient.address, ?, ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS (address VARCHAR(254) PATH '$')) AS recipient
            """,
            [.text(letter.kind), .integer(calculation.id), .text(letter.mail.subject), .text(letter.mail.text), .text(letter.mail.html),
             .text(letter.recipientList)])
        return letter.recipients.count
    }
}
