import CalcflowCore

/// One mail in place of many about calculations (`MailDigestPolicy`): how many ended which way, and
/// a line with a link for each, up to `listedAtMost`.
struct CalculationDigestMail {
    struct Entry {
        var kind: String
        var calculationID: Int64?
        /// The single mail's subject, which names the calculation and what became of it.
        var subject: String
    }

    static let listedAtMost = 500

    var subject: String
    var text: String
    var html: String

    init(entries: [Entry], publicURL: String) {
        var counts: [String: Int] = [:]
        for entry in entries { counts[entry.kind, default: 0] += 1 }
        let order = CalculationLifecycle.Notification.allCases.map(\.rawValue)
        let kinds = counts.keys.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
        let summary = kinds.map { "\(counts[$0]!) \(Self.outcome($0))" }.joined(separator: ", ")
        let noun = entries.count == 1 ? "calculation" : "calculations"
        subject = "\(CalculationMail.subjectPrefix)\(entries.count) \(noun): \(summary)"
        let listed = entries.prefix(Self.listedAtMost)
        let more = entries.count - listed.count
        let listLink = "\(publicURL)/#/calculations"
        func link(_ entry: Entry) -> String? { entry.calculationID.map { "\(publicURL)/#/calculations/\($0)" } }
        func line(_ entry: Entry) -> String { Self.withoutPrefix(entry.subject) }
        var textLines = ["\(entries.count) \(noun): \(summary).", ""]
        textLines += listed.map { entry in [line(entry), link(entry)].compactMap { $0 }.joined(separator: "    ") }
        if more > 0 { textLines += ["", "and \(more) more."] }
        textLines += ["", "All calculations: \(listLink)",
                      "Mails about calculations come as one digest like this while many arrive at once."]
        text = textLines.joined(separator: "\n") + "\n"
        let items = listed.map { entry -> String in
            let name = HTMLText.escape(line(entry))
            guard let url = link(entry) else { return "<li>\(name)</li>" }
            return "<li><a href=\"\(HTMLText.escape(url))\">\(name)</a></li>"
        }.joined(separator: "\n")
        html = """
            <!doctype html><html><body style="font-family: sans-serif; color: #1b2430">
            <h2>\(entries.count) \(noun): \(HTMLText.escape(summary))</h2>
            <ul>
            \(items)
            </ul>
            \(more > 0 ? "<p>and \(more) more.</p>" : "")
            <p><a href="\(HTMLText.escape(listLink))">All calculations in Calcflow</a></p>
            <p style="color: #5a6473">Mails about calculations come as one digest like this while many arrive at once.</p>
            </body></html>
            """
    }

    static func outcome(_ kind: String) -> String {
        switch CalculationLifecycle.Notification(rawValue: kind) {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .notConverged: "did not converge"
        case .lost: "lost"
        case .cancelled: "cancelled"
        case .approvalNeeded: "need approval"
        case nil: kind
        }
    }

    static func withoutPrefix(_ subject: String) -> String {
        subject.hasPrefix(CalculationMail.subjectPrefix) ? String(subject.dropFirst(CalculationMail.subjectPrefix.count)) : subject
    }
}
