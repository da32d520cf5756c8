import CalcflowCore
import JSON
import MariaDB

/// A row of `calculations`, as the API shows it.
struct CalculationRecord: Sendable {
    var id: Int64
    var name: String
    var description: String
    var clusterID: Int64
    var clusterName: String
    var moleculeID: Int64?
    /// The molecule's structure as the calculation keeps it; read only where the row carries it (the claim).
    var moleculeStructure: String?
    var engine: String
    var configuration: JSON
    var steps: JSON
    var analyses: [String]
    /// `CalculationInputHash` of what it computes (nil only for rows the maintenance loop has yet to fill).
    var inputSHA256: String?
    var priority: Int64
    var approved: Bool
    var processed: Bool
    var state: CalculationState
    var reason: String?
    var cancelRequested: Bool
    var progressDone: Int64?
    var progressTotal: Int64?
    var keepRaw: Bool
    var rerunOf: Int64?
    var createdBy: Int64
    var createdAt: String?
    var startedAt: String?
    var finishedAt: String?

    private static let ownColumnNames = [
        "id", "name", "description", "cluster_id", "molecule_id", "engine", "configuration", "steps", "analyses", "priority",
        "input_sha256", "approved", "processed", "state", "state_reason", "cancel_requested", "keep_raw", "rerun_of", "created_by", "created_at",
        "started_at", "finished_at",
    ]
    /// The calculation's own columns, for reads that must not join (locking reads).
    static let ownColumns = ownColumnNames.map { "c." + $0 }.joined(separator: ", ")
    /// The same, bare, for `INSERT ... RETURNING`.
    static let returnedColumns = ownColumnNames.joined(separator: ", ")
    /// Progress is the latest event's that carried one: reports then write a single row, and a page
    /// of calculations reads it back with one index lookup per row.
    static let progressColumn = """
        (SELECT CONCAT(e.progress_done, '/', e.progress_total) FROM calculation_events e
         WHERE e.calculation_id = c.id AND e.progress_done IS NOT NULL ORDER BY e.seq DESC LIMIT 1) AS progress
        """
    /// The cluster's name by one primary-key lookup per row, not a join: with a join (even a
    /// STRAIGHT_JOIN, even forcing the order's index), a prepared page statement that MariaDB 10.11
    /// planned before a burst of writes (a campaign, make bench's lifecycles) is executed afterwards
    /// by a full scan and a sort, 0.5-0.8 s for a page of the newest 50 among 200,000 for a minute or
    /// more, while the same statement prepared anew takes under a millisecond.
    static let clusterNameColumn = "(SELECT k.name FROM clusters k WHERE k.id = c.cluster_id) AS cluster_name"
    static let columns = ownColumns + ", " + progressColumn + ", " + clusterNameColumn
    static let from = "calculations c"
    /// A row read without `clusterNameColumn`, when the cluster's name is known otherwise.
    init(row: Row, clusterName: String) {
        self.init(row: row)
        self.clusterName = clusterName
    }

    init(row: Row) {
        id = row.int("id") ?? 0
        name = row.string("name") ?? ""
        description = row.string("description") ?? ""
        clusterID = row.int("cluster_id") ?? 0
        clusterName = row.has("cluster_name") ? row.string("cluster_name") ?? "" : ""
        moleculeID = row.int("molecule_id")
        moleculeStructure = row.has("molecule_structure") ? row.string("molecule_structure") : nil
        engine = row.string("engine") ?? ""
        configuration = row.string("configuration").flatMap { try? JSON.parse($0) } ?? .object([:])
        steps = row.string("steps").flatMap { try? JSON.parse($0) } ?? .array([])
        analyses = (row.string("analyses").flatMap { try? JSON.parse($0) }?.arrayValue ?? []).compactMap(\.stringValue)
        priority = row.int("priority") ?? 0
        inputSHA256 = row.string("input_sha256")
        approved = row.bool("approved")
        processed = row.bool("processed")
        state = row.string("state").flatMap(CalculationState.init(rawValue:)) ?? .queued
        reason = row.string("state_reason")
        cancelRequested = row.bool("cancel_requested")
        let progress = row.has("progress") ? row.string("progress")?.split(separator: "/") : nil
        progressDone = progress.flatMap { $0.count == 2 ? Int64($0[0]) : nil }
        progressTotal = progress.flatMap { $0.count == 2 ? Int64($0[1]) : nil }
        keepRaw = row.bool("keep_raw")
        rerunOf = row.int("rerun_of")
        createdBy = row.int("created_by") ?? 0
        createdAt = Timestamp.rfc3339(fromDatabase: row.string("created_at"))
        startedAt = Timestamp.rfc3339(fromDatabase: row.string("started_at"))
        finishedAt = Timestamp.rfc3339(fromDatabase: row.string("finished_at"))
    }

    var lifecycle: CalculationLifecycle { CalculationLifecycle(state: state, storedReason: reason) }

    /// The calculation as a lifecycle write leaves it (for its mail, without reading it back).
    func written(_ write: CalculationWrite) -> CalculationRecord {
        var updated = self
        updated.state = write.to.state
        updated.reason = write.to.reason?.text
        switch write.approval {
        case .granted: updated.approved = true
        case .withdrawn: updated.approved = false
        case .unchanged: break
        }
        return updated
    }

    var policySubject: CalculationPolicy.Subject {
        CalculationPolicy.Subject(createdBy: createdBy, lifecycle: lifecycle, processed: processed, cancelRequested: cancelRequested)
    }

    /// For a signed-in person: with what that person may do to it now.
    func json(for actor: UserPolicy.Party) -> JSON {
        json.setting("allowed_actions", to: .array(CalculationPolicy.allowedActions(actor: actor, on: policySubject).map { .string($0.rawValue) }))
    }

    var progress: JSON {
        guard let progressDone, let progressTotal else { return .null }
        return ["done": .integer(progressDone), "total": .integer(progressTotal)]
    }

    var json: JSON {
        [
            "id": .integer(id), "name": .string(name), "description": .string(description), "cluster_id": .integer(clusterID),
            "cluster": .string(clusterName), "molecule_id": JSON(moleculeID), "engine": .string(engine), "configuration": configuration,
            "steps": steps, "analyses": .array(analyses.map(JSON.string)), "input_sha256": JSON(inputSHA256), "priority": .integer(priority), "approved": .bool(approved),
            "processed": .bool(processed), "state": .string(state.rawValue), "reason": JSON(reason), "cancel_requested": .bool(cancelRequested),
            "progress": progress, "keep_raw": .bool(keepRaw), "rerun_of": JSON(rerunOf), "created_by": .integer(createdBy),
            "created_at": JSON(createdAt), "started_at": JSON(startedAt), "finished_at": JSON(finishedAt),
        ]
    }
}
