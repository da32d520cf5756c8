import CalcflowCore
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

    /// Queues one mail per recipient; returns how many.
    @discardableResult
    func enqueue(_ notification: CalculationLifecycle.Notification, calculation: CalculationRecord) throws -> Int {
        let staff = try staff()
        var creator = staff.first { $0.id == calculation.createdBy }
        if creator == nil {
            creator = try connection.queryFirst("SELECT id, email, role, email_level FROM users WHERE id = ? AND deleted_at IS NULL AND blocked = 0",
                                                [.integer(calculation.createdBy)]).map(Outbox.person)
        }
        let recipients = NotificationPolicy.recipients(of: notification, creator: creator, staff: staff)
        let mail = CalculationMail(notification: notification, calculation: calculation, publicURL: publicURL)
        for person in recipients {
            try connection.execute(
                "INSERT INTO outbox (kind, calculation_id, recipient, subject, text_body, html_body) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(notification.rawValue), .integer(calculation.id), .text(person.email), .text(mail.subject), .text(mail.text), .text(mail.html)])
        }
        return recipients.count
    }
}
