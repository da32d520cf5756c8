import CalcflowCore

/// The mail about one calculation: subject, plain text and HTML, naming the calculation and its state.
struct CalculationMail {
    /// Every Calcflow mail's subject starts so, for people's mail filters.
    static let subjectPrefix = "[Calcflow] "

    var subject: String
    var text: String
    var html: String

    init(notification: CalculationLifecycle.Notification, calculation: CalculationRecord, publicURL: String) {
        let link = "\(publicURL)/#/calculations/\(calculation.id)"
        let headline: String
        let detail: String
        switch notification {
        case .succeeded:
            headline = "succeeded"
            detail = "The results are extracted and stored. The report (tables and charts of the extracted data) is in the dashboard."
        case .failed:
            headline = "failed"
            detail = "The agent reported a failure."
        case .notConverged:
            headline = "did not converge"
            detail = "The run finished without convergence; the steps that depend on it did not run."
        case .lost:
            headline = "was lost"
            detail = "Its cluster stopped reporting while it ran. If the agent comes back and still runs it, it returns to running."
        case .cancelled:
            headline = "was cancelled"
            detail = "It will not run any further."
        case .approvalNeeded:
            headline = "needs approval"
            detail = "It was created on a cluster that requires approval. Approve it in the dashboard so that it can run."
        }
        let reason = calculation.reason.map { "Reason: \($0)" }
        subject = "\(Self.subjectPrefix)\(calculation.name) (#\(calculation.id)) \(headline)"
        text = ([
            "Calculation \(calculation.name) (#\(calculation.id)) \(headline).",
            "",
            "Engine: \(calculation.engine)    Cluster: \(calculation.clusterName)    State: \(calculation.state.rawValue)",
            reason,
            "",
            detail,
            "",
            "Open it: \(link)",
        ] as [String?]).compactMap { $0 }.joined(separator: "\n") + "\n"
        html = """
            <!doctype html><html><body style="font-family: sans-serif; color: #1b2430">
            <h2>\(HTMLText.escape(calculation.name)) (#\(calculation.id)) \(headline)</h2>
            <table cellpadding="4"><tr><th align="left">Engine</th><td>\(HTMLText.escape(calculation.engine))</td></tr>
            <tr><th align="left">Cluster</th><td>\(HTMLText.escape(calculation.clusterName))</td></tr>
            <tr><th align="left">State</th><td>\(calculation.state.rawValue)</td></tr>
            \(reason.map { "<tr><th align=\"left\">Reason</th><td>\(HTMLText.escape($0))</td></tr>" } ?? "")</table>
            <p>\(HTMLText.escape(detail))</p>
            <p><a href="\(HTMLText.escape(link))">Open it in Calcflow</a></p>
            </body></html>
            """
    }
}

enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
