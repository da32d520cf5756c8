import CalcflowCore
import MariaDB

/// Writes the mails a state change causes, in the caller's transaction: the change and its mails
/// commit together or not at all.
struct Outbox {
    let connection: Connection
    let publicURL: String

    /// Queues one mail per recipient; returns how many.
    @discardableResult
    func enqueue(_ notification: CalculationLifecycle.Notification, calculation: CalculationRecord) throws(DatabaseError) -> Int {
        let people = try connection.query(
            "SELECT id, email, role, email_level FROM users WHERE deleted_at IS NULL AND blocked = 0 AND (role IN ('admin', 'moderator') OR id = ?)",
            [.integer(calculation.createdBy)]
        ).map { row in
            NotificationPolicy.Person(id: row.int("id") ?? 0, email: row.string("email") ?? "",
                                      role: row.string("role").flatMap(Role.init(rawValue:)) ?? .user,
                                      level: row.string("email_level").flatMap(EmailLevel.init(rawValue:)) ?? .info)
        }
        let creator = people.first { $0.id == calculation.createdBy }
        let recipients = NotificationPolicy.recipients(of: notification, creator: creator, staff: people.filter { $0.role >= .moderator })
        let mail = CalculationMail(notification: notification, calculation: calculation, publicURL: publicURL)
        for person in recipients {
            try connection.execute(
                "INSERT INTO outbox (kind, calculation_id, recipient, subject, text_body, html_body) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(notification.rawValue), .integer(calculation.id), .text(person.email), .text(mail.subject), .text(mail.text), .text(mail.html)])
        }
        return recipients.count
    }
}
