import CalcflowCore
import Foundation
import JSON
import MariaDB

/// `calculations`, their events and analyses. Every state change goes through `CalculationLifecycle`
/// and writes its mails to the outbox in the same transaction.
struct CalculationStore {
    let connection: Connection
    let publicURL: String
    /// The worker thread's caches (staff for mails).
    var worker: WorkerState? = nil
    /// The process's memory of which cluster claimed which calculation (agent routes).
    var claimedOwners: ClaimedOwners? = nil

    var outbox: Outbox { Outbox(connection: connection, publicURL: publicURL, staffCache: worker?.staff) }

    /// With `forUpdate`, the calculation's row (only it: a locking read of the join would lock the
    /// cluster's row too and serialize every report of the cluster) is locked first.
    func find(id: Int64, forUpdate: Bool = false) throws(DatabaseError) -> CalculationRecord? {
        if forUpdate {
            guard try connection.queryFirst("SELECT id FROM calculations WHERE id = ? FOR UPDATE", [.integer(id)]) != nil else { return nil }
        }
        return try connection.queryFirst("SELECT \(CalculationRecord.columns) FROM \(CalculationRecord.from) WHERE c.id = ?", [.integer(id)])
            .map(CalculationRecord.init(row:))
    }

    struct Filter {
        var state: CalculationState?
        var clusterID: Int64?
        var moleculeID: Int64?
        var text: String?
        var createdBy: Int64?
        var inputSHA256: String?
        var engine: String?
        var order = CalculationListOrder()
    }

    func list(_ filter: Filter, page: PageRequest) throws -> [CalculationRecord] {
        let order = filter.order
        let direction = order.descending ? "<" : ">"
        var conditions: [String] = []
        var values: [SQLValue] = []
        switch order.key {
        case .id:
            guard page.afterKey == nil else { throw ValidationError(field: "cursor", message: "belongs to another sort order; start again without it") }
            let bound = IDBound("c.id", after: page.afterID, descending: order.descending)
            if let condition = bound.condition { conditions.append(condition) }
            values += bound.values
        case .name, .priority:
            // After the last row seen: a later key, or the same key and a later id.
            if let afterID = page.afterID, let afterKey = page.afterKey {
                let column = "c.\(order.key.rawValue)"
                let key: SQLValue
                if order.key == .name { key = .text(afterKey) } else {
                    guard let priority = Int64(afterKey) else { throw ValidationError(field: "cursor", message: "belongs to another sort order; start again without it") }
                    key = .integer(priority)
                }
                conditions.append("(\(column) \(direction) ? OR (\(column) = ? AND c.id \(direction) ?))")
                values += [key, key, .integer(afterID)]
            } else if page.afterID != nil {
                throw ValidationError(field: "cursor", message: "belongs to another sort order; start again without it")
            }
        }
        if let state = filter.state { conditions.append("c.state = ?"); values.append(.text(state.rawValue)) }
        if let cluster = filter.clusterID { conditions.append("c.cluster_id = ?"); values.append(.integer(cluster)) }
        if let molecule = filter.moleculeID { conditions.append("c.molecule_id = ?"); values.append(.integer(molecule)) }
        if let creator = filter.createdBy { conditions.append("c.created_by = ?"); values.append(.integer(creator)) }
        if let engine = filter.engine { conditions.append("c.engine = ?"); values.append(.text(engine)) }
        if let hash = filter.inputSHA256 { conditions.append("c.input_sha256 = ?"); values.append(.text(hash)) }
        if let text = filter.text, !text.isEmpty {
            // The full-text index finds the candidates (words starting so) without reading every
            // row; LIKE keeps the match exact. Words under the index's 3 letters are found by LIKE alone.
            if let words = SearchPattern.fullTextWords(text) {
                conditions.append("MATCH (c.name, c.description) AGAINST (? IN BOOLEAN MODE)")
                values.append(.text(words))
            }
            conditions.append("(c.name LIKE ? OR c.description LIKE ?)")
            let pattern = SearchPattern.containing(text)
            values += [.text(pattern), .text(pattern)]
        }
        let sortDirection = order.descending ? "DESC" : "ASC"
        let orderBy = order.key == .id ? "c.id \(sortDirection)" : "c.\(order.key.rawValue) \(sortDirection), c.id \(sortDirection)"
        let whereClause = conditions.isEmpty ? "" : "WHERE \(conditions.joined(separator: " AND "))"
        values.append(.integer(Int64(page.limit + 1)))
        return try connection.query(
            "SELECT \(CalculationRecord.columns) FROM \(CalculationRecord.from) \(whereClause) ORDER BY \(orderBy) LIMIT ?",
            values).map(CalculationRecord.init(row:))
    }

    struct NewCalculation {
        var name: String
        var description: String
        var clusterID: Int64
        var moleculeID: Int64?
        var engine: String
        var configuration: JSON
        var steps: StepPlan
        var analyses: [String]
        var priority: Int64
        var keepRaw: Bool
        var createdBy: Int64
        /// Why it must wait for a moderator (`CalculationPolicy.approvalReason`), nil when it need not.
        var approvalReason: String?
        var rerunOf: Int64?
        /// The molecule's structure as it is now: the calculation runs this copy, whatever later
        /// edits of the molecule say.
        var moleculeStructure: String?
    }

    /// Inserts a calculation of the cluster named `clusterName` (the caller has checked it exists).
    func create(_ new: NewCalculation, clusterName: String) throws -> CalculationRecord {
        let (lifecycle, action) = CalculationLifecycle.created(approvalReason: new.approvalReason)
        // One insert is atomic by itself; only an approval request adds a mail to commit with it.
        guard action == .requestApproval else {
            return try insert(new, lifecycle: lifecycle, clusterName: clusterName)
        }
        return try connection.transaction { _ in
            let created = try insert(new, lifecycle: lifecycle, clusterName: clusterName)
            try outbox.enqueue(.approvalNeeded, calculation: created)
            return created
        }
    }

    private func insert(_ new: NewCalculation, lifecycle: CalculationLifecycle, clusterName: String) throws -> CalculationRecord {
        let created = try connection.queryFirst(
            """
            INSERT INTO calculations (name, description, cluster_id, molecule_id, molecule_structure, engine, configuration, steps, analyses,
                                      input_sha256, priority, approved, state, state_reason, keep_raw, created_by, rerun_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING \(CalculationRecord.returnedColumns)
            """,
            [.text(new.name), .text(new.description), .integer(new.clusterID), SQLValue(new.moleculeID), SQLValue(new.moleculeStructure),
             .text(new.engine), .text(new.configuration.serializedString()), .text(new.steps.json.serializedString()),
             .text(JSON.array(new.analyses.map(JSON.string)).serializedString()),
             .text(CalculationInputHash.of(engine: new.engine, configuration: new.configuration, steps: new.steps.json, structure: new.moleculeStructure)),
             .integer(new.priority),
             SQLValue(lifecycle.state != .pendingApproval), .text(lifecycle.state.rawValue), SQLValue(lifecycle.reason?.text),
             SQLValue(new.keepRaw), .integer(new.createdBy), SQLValue(new.rerunOf)])
        guard let created else { throw DatabaseError(code: .statementFailed, message: "the insert of a calculation returned no row") }
        return CalculationRecord(row: created, clusterName: clusterName)
    }

    /// Applies an edit of a calculation that no agent has taken yet, in one transaction with what the
    /// lifecycle makes of it: a change that needs approval again (`approvalReason`) sends it back to
    /// the approvers, with their mail.
    func edit(id: Int64, _ assignments: [(column: String, value: SQLValue)], approvalReason: String?) throws -> CalculationRecord {
        try connection.transaction { connection in
            guard let calculation = try find(id: id, forUpdate: true) else { throw APIError(.notFound, "there is no calculation \(id)") }
            guard !calculation.processed else { throw Self.notEditable(calculation) }
            var lifecycle = calculation.lifecycle
            let write: CalculationWrite?
            do { write = try lifecycle.edited(approvalReason: approvalReason) } catch { throw Self.notEditable(calculation) }
            try RowUpdate.apply(assignments, table: "calculations", id: id, condition: "processed = 0", on: connection)
            let edited = try find(id: id) ?? calculation
            // The row is locked: the compare-and-set cannot miss.
            if let write { _ = try apply(write, to: edited) }
            return write.map { edited.written($0) } ?? edited
        }
    }

    static func notEditable(_ calculation: CalculationRecord) -> APIError {
        APIError(.conflict, "calculation \(calculation.id) is \(calculation.state.rawValue): only one that no agent has taken can be edited; rerun it instead")
    }

    /// The molecule's structure as the calculation keeps it.
    func moleculeStructure(of id: Int64) throws(DatabaseError) -> String? {
        try connection.queryFirst("SELECT molecule_structure FROM calculations WHERE id = ?", [.integer(id)])?.string("molecule_structure")
    }

    func delete(id: Int64) throws(DatabaseError) {
        claimedOwners?.forget(calculationID: id)
        try connection.execute("DELETE FROM outbox WHERE calculation_id = ? AND sent_at IS NULL", [.integer(id)])
        try connection.execute("DELETE FROM calculations WHERE id = ?", [.integer(id)])
    }

    func approve(id: Int64, by approver: Int64) throws -> CalculationRecord {
        try connection.transaction { connection in
            guard let calculation = try find(id: id, forUpdate: true) else { throw APIError(.notFound, "there is no calculation \(id)") }
            var lifecycle = calculation.lifecycle
            let write: CalculationWrite
            do { write = try lifecycle.approve() } catch { throw APIError(.conflict, "\(error)") }
            // The row is locked: the compare-and-set cannot miss.
            _ = try apply(write, to: calculation, also: [("approved_by", .integer(approver))])
            return try find(id: id) ?? calculation
        }
    }

    func cancel(id: Int64, by who: String) throws -> CalculationRecord {
        try connection.transaction { connection in
            guard let calculation = try find(id: id, forUpdate: true) else { throw APIError(.notFound, "there is no calculation \(id)") }
            var lifecycle = calculation.lifecycle
            let outcome: CalculationLifecycle.CancelOutcome
            do { outcome = try lifecycle.cancel(by: who) } catch { throw APIError(.conflict, "\(error)") }
            switch outcome {
            case .askAgent:
                try connection.execute("UPDATE calculations SET cancel_requested = 1 WHERE id = ?", [.integer(id)])
                return try find(id: id) ?? calculation
            case .cancelled(let write):
                // The row is locked: the compare-and-set cannot miss.
                _ = try apply(write, to: calculation)
                return try find(id: id) ?? calculation
            }
        }
    }

    // MARK: The agent's side

    /// The claimable calculations of a cluster, best first (the seed's query).
    func claimable(clusterID: Int64, limit: Int) throws(DatabaseError) -> [CalculationRecord] {
        try connection.query(
            """
            SELECT \(CalculationRecord.columns) FROM \(CalculationRecord.from)
            WHERE c.cluster_id = ? AND c.processed = 0 AND c.approved = 1 AND c.state = 'queued'
            ORDER BY c.priority DESC, c.created_at, c.id LIMIT ?
            """, [.integer(clusterID), .integer(Int64(limit))]).map(CalculationRecord.init(row:))
    }

    /// Takes up to `wanted` of the best claimable calculations of the cluster, atomically: two agents
    /// never get one calculation. The transaction runs in the server, in one round trip
    /// (migrations/0027), and applies what Swift decided: the lifecycle's claim transition, the
    /// policy's running limit. Empty when there is nothing to do (or the cluster runs its `max_running`).
    /// A claim sent again with the same `token` (its answer was lost) gets the calculations it took.
    /// `keyID`: the agent's key, kept with what it took (`settleUnlisted` asks that agent alone).
    func claim(clusterID: Int64, keyID: Int64, maxRunning: Int64, clusterName: String, wanted: Int = 1, token: String? = nil) throws(DatabaseError) -> [CalculationRecord] {
        let limit = CalculationPolicy.runningLimit(maxRunning: maxRunning)
        let rows = try connection.retryingDeadlocks { connection throws(DatabaseError) in
            // What the claim took the first time, read here and not in the procedure: a CALL is not
            // a causal read on Galera, and the first try may have committed through another node
            // an instant ago (its host died before answering). This SELECT waits for that node's
            // writes (wsrep_sync_wait); without it the claim would take new calculations under the
            // same token and leave the first ones running with no one.
            if let token {
                let taken = try connection.query("SELECT * FROM calculations WHERE claim_token = ? AND cluster_id = ? ORDER BY priority DESC, created_at, id",
                                                 [.text(token), .integer(clusterID)])
                if !taken.isEmpty { return taken }
            }
            return try connection.query("CALL claim_calculations(?, ?, ?, ?, ?, ?, ?)", [
                .integer(clusterID), SQLValue(limit), .integer(Int64(max(1, wanted))), SQLValue(token), .integer(keyID),
                .text(CalculationLifecycle.claimedFrom.rawValue), .text(CalculationLifecycle.claimedTo.rawValue),
            ])
        }
        let claimed = rows.map { CalculationRecord(row: $0, clusterName: clusterName) }
        for calculation in claimed { claimedOwners?.remember(calculationID: calculation.id, cluster: clusterID) }
        return claimed
    }

    struct Event {
        var seq: Int64
        var state: CalculationState?
        var reason: String?
        var step: String?
        var level: String
        var message: String
        var progressDone: Int64?
        var progressTotal: Int64?
    }

    /// An agent's "is this mine?": only the cluster that claimed a calculation may report on it. Another
    /// cluster's is a 404 (it learns nothing of it); one not claimed yet is a 409.
    func requireClaim(calculationID: Int64, clusterID: Int64) throws {
        if let cluster = claimedOwners?.cluster(of: calculationID) {
            guard cluster == clusterID else { throw Self.notOnThisCluster(calculationID) }
            return
        }
        guard let row = try connection.queryFirst("SELECT cluster_id, processed FROM calculations WHERE id = ?", [.integer(calculationID)]),
              let cluster = row.int("cluster_id"), cluster == clusterID else { throw Self.notOnThisCluster(calculationID) }
        // Before the claim, the cluster can still be edited; after it, never.
        guard row.bool("processed") else { throw Self.notClaimed(calculationID) }
        claimedOwners?.remember(calculationID: calculationID, cluster: cluster)
    }

    static func notOnThisCluster(_ id: Int64) -> APIError { APIError(.notFound, "there is no calculation \(id) on this cluster") }

    static func notClaimed(_ id: Int64) -> APIError {
        APIError(.conflict, "calculation \(id) has not been claimed by this cluster; claim it (POST /agent/claim) before reporting on it")
    }

    /// Applies an agent's event once: a repeated `seq` changes nothing. Returns false for a replay.
    /// Progress-only events need no transaction: the one insert decides.
    func record(_ event: Event, calculationID: Int64, clusterID: Int64, clusterName: String) throws -> Bool {
        guard let state = event.state else {
            try requireClaim(calculationID: calculationID, clusterID: clusterID)
            return try insert(event, calculationID: calculationID)
        }
        // Decide from the calculation as read, then apply in one round trip that first checks it has
        // not moved since (migrations/0011); when it has, read and decide again.
        for _ in 1...Self.reportAttempts {
            guard let row = try connection.queryFirst("SELECT \(CalculationRecord.ownColumns) FROM calculations c WHERE c.id = ?",
                                                      [.integer(calculationID)]),
                  row.int("cluster_id") == clusterID else { throw Self.notOnThisCluster(calculationID) }
            guard row.bool("processed") else { throw Self.notClaimed(calculationID) }
            let calculation = CalculationRecord(row: row, clusterName: clusterName)
            var lifecycle = calculation.lifecycle
            let write: CalculationWrite?
            do {
                write = try lifecycle.report(state, reason: event.reason ?? (event.level == "ERROR" ? event.message : nil))
            } catch {
                // A report sent again after the state moved on is a replay, not a conflict.
                if try hasEvent(calculationID: calculationID, seq: event.seq) { return false }
                throw APIError(.conflict, "\(error)")
            }
            var letter: Outbox.Letter?
            if let write, let notification = write.notification {
                letter = try outbox.letter(notification, calculation: calculation.written(write))
            }
            let outcome = try applyReport(event, as: state, to: calculation, write: write, letter: letter)
            switch outcome {
            case "applied": return true
            case "replay": return false
            default: continue
            }
        }
        throw APIError(.unavailable, "calculation \(calculationID) kept changing while this report was applied; send it again")
    }

    private static let reportAttempts = 5

    private func hasEvent(calculationID: Int64, seq: Int64) throws(DatabaseError) -> Bool {
        try connection.queryFirst("SELECT 1 AS present FROM calculation_events WHERE calculation_id = ? AND seq = ?",
                                  [.integer(calculationID), .integer(seq)]) != nil
    }

    /// One call of `apply_calculation_report` (migrations/0011): "applied", "replay" or "stale". The
    /// procedure checks the state the write was decided from and applies it with the event; it
    /// decides nothing (its `new_state_is_final` is the write's `finishes`).
    private func applyReport(_ event: Event, as state: CalculationState, to calculation: CalculationRecord,
                             write: CalculationWrite?, letter: Outbox.Letter?) throws(DatabaseError) -> String? {
        let parameters: [SQLValue] = [
            // The state the decision was made from.
            .integer(calculation.id), .text(calculation.state.rawValue), SQLValue(calculation.reason),
            // The event.
            .integer(event.seq), .text(state.rawValue), SQLValue(event.step), .text(event.level), .text(event.message),
            SQLValue(event.progressDone), SQLValue(event.progressTotal),
            // The new state, if any.
            SQLValue(write?.to.state.rawValue), SQLValue(write?.to.reason?.text), SQLValue(write?.finish == .finishes),
            // Its mail, if any.
            SQLValue(letter?.kind), SQLValue(letter?.recipientList), SQLValue(letter?.mail.subject), SQLValue(letter?.mail.text),
            SQLValue(letter?.mail.html),
        ]
        return try connection.retryingDeadlocks { connection throws(DatabaseError) in
            try connection.queryFirst("CALL apply_calculation_report(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", parameters)?.string("outcome")
        }
    }

    private func insert(_ event: Event, calculationID: Int64) throws(DatabaseError) -> Bool {
        let inserted = try connection.execute(
            """
            INSERT IGNORE INTO calculation_events (calculation_id, seq, state, step, level, message, progress_done, progress_total)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(calculationID), .integer(event.seq), SQLValue(event.state?.rawValue), SQLValue(event.step), .text(event.level),
             .text(event.message), SQLValue(event.progressDone), SQLValue(event.progressTotal)])
        return inserted.affectedRows > 0
    }

    /// The agent says the calculation is in `state` (an event, or a heartbeat listing it as running).
    func apply(report state: CalculationState, reason: String?, to calculation: CalculationRecord) throws {
        var lifecycle = calculation.lifecycle
        let write: CalculationWrite?
        do { write = try lifecycle.report(state, reason: reason) } catch { throw APIError(.conflict, "\(error)") }
        if let write { _ = try apply(write, to: calculation) }
    }

    /// The one place a lifecycle's decision is written outside a report's round trip: a compare-and-set
    /// of the whole row change against the state it was decided from, with its mail in the same
    /// transaction as the caller's. False when the row had moved on (nothing is written then).
    /// `also`: columns that go with this write and no other (who approved it).
    @discardableResult
    func apply(_ write: CalculationWrite, to calculation: CalculationRecord, also extra: [(column: String, value: SQLValue)] = []) throws -> Bool {
        var assignments = ["state = ?", "state_reason = ?"]
        var values: [SQLValue] = [.text(write.to.state.rawValue), SQLValue(write.to.reason?.text)]
        switch write.finish {
        case .finishes: assignments += ["finished_at = CURRENT_TIMESTAMP(6)", "cancel_requested = 0"]
        case .reopens: assignments.append("finished_at = NULL")
        case .unchanged: break
        }
        switch write.approval {
        case .granted: assignments.append("approved = 1")
        case .withdrawn: assignments.append("approved = 0")
        case .unchanged: break
        }
        if write.claim == .released { assignments += ["processed = 0", "started_at = NULL", "claim_token = NULL"] }
        for (column, value) in extra {
            assignments.append("\(column) = ?")
            values.append(value)
        }
        let applied = try connection.execute(
            "UPDATE calculations SET \(assignments.joined(separator: ", ")) WHERE id = ? AND state = ? AND state_reason <=> ?",
            values + [.integer(calculation.id), .text(write.from.state.rawValue), SQLValue(write.from.reason?.text)])
        guard applied.affectedRows == 1 else { return false }
        // The mail shows the calculation as it now is; no need to read it back.
        if let notification = write.notification { try outbox.enqueue(notification, calculation: calculation.written(write)) }
        return true
    }

    /// Running calculations whose agent came back after they were declared lost return to running.
    func reconcileRunning(clusterID: Int64, running ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: min(ids.count, 1_000)).joined(separator: ", ")
        let lost = try connection.query(
            "SELECT id FROM calculations WHERE cluster_id = ? AND state = 'failed' AND state_reason = 'lost' AND id IN (\(placeholders))",
            [.integer(clusterID)] + ids.prefix(1_000).map(SQLValue.integer))
        for row in lost {
            try connection.transaction { _ in
                if let calculation = try find(id: row.int("id") ?? 0, forUpdate: true) {
                    try apply(report: .running, reason: nil, to: calculation)
                }
            }
        }
    }

    /// What became of the calculations an agent took but does not list in its heartbeat.
    struct Unlisted: Equatable {
        /// It reported on them, then lost them: they failed, lost.
        var lost = 0
        /// It never said a word of them (the claim's answer never reached it): back to the queue.
        var requeued = 0
    }

    /// Settles the calculations this agent (its key) took more than `seconds` ago, that run by the
    /// database, and that its heartbeat does not list: it never got them (its claim's answer was lost
    /// with an API host) or lost them (it crashed before keeping the claim on disk). Running, they would
    /// wait for an agent that will never report. One it never reported on goes back to the queue, as
    /// nothing of it ran; one it did is lost. An agent lists every calculation it has until the API has
    /// its end, so one it finished while the API was away is not touched; a lost one that it reports
    /// later comes back (`reconcileRunning`). Another agent's of the same cluster is not this one's to judge.
    @discardableResult
    func settleUnlisted(clusterID: Int64, keyID: Int64, listed ids: [Int64], claimedBefore seconds: Int) throws -> Unlisted {
        let listed = Set(ids)
        let candidates = try connection.query(
            """
            SELECT id FROM calculations WHERE cluster_id = ? AND claimed_key_id = ? AND state = 'running'
                AND started_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND LIMIT 1000
            """,
            [.integer(clusterID), .integer(keyID), .integer(Int64(seconds))]).compactMap { $0.int("id") }.filter { !listed.contains($0) }
        var settled = Unlisted()
        for id in candidates {
            try connection.transaction { connection in
                guard let calculation = try find(id: id, forUpdate: true), calculation.state == .running else { return }
                let reported = try connection.queryFirst("SELECT 1 AS reported FROM calculation_events WHERE calculation_id = ? LIMIT 1", [.integer(id)]) != nil
                var lifecycle = calculation.lifecycle
                let write = try lifecycle.unlistedByItsAgent(everReported: reported)
                guard try apply(write, to: calculation) else { return }
                if write.claim == .released { settled.requeued += 1 } else { settled.lost += 1 }
            }
        }
        return settled
    }

    func cancelRequests(clusterID: Int64) throws(DatabaseError) -> [Int64] {
        try connection.query("SELECT id FROM calculations WHERE state = 'running' AND cluster_id = ? AND cancel_requested = 1",
                             [.integer(clusterID)]).compactMap { $0.int("id") }
    }

    /// Declares lost the running calculations of clusters silent for `seconds`; returns how many. A
    /// calculation claimed less than that long ago is not lost, whatever the cluster's heartbeats say:
    /// its claim showed the agent alive then (an agent may claim before its first heartbeat lands, or
    /// after a long pause).
    func loseSilentRuns(after seconds: Int) throws -> Int {
        try connection.transaction { connection in
            let silent = try connection.query(
                """
                SELECT c.id FROM calculations c
                WHERE c.state = 'running' AND COALESCE(c.started_at, c.created_at) < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND
                    AND c.cluster_id IN (SELECT k.id FROM clusters k
                                         WHERE k.last_seen_at IS NULL OR k.last_seen_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND)
                LIMIT 500 FOR UPDATE SKIP LOCKED
                """, [.integer(Int64(seconds)), .integer(Int64(seconds))])
            for row in silent {
                guard let calculation = try find(id: row.int("id") ?? 0) else { continue }
                var lifecycle = calculation.lifecycle
                try apply(try lifecycle.lose(), to: calculation)
            }
            return silent.count
        }
    }

    func putAnalysis(calculationID: Int64, clusterID: Int64, name: String, step: String, data: JSON) throws {
        try requireClaim(calculationID: calculationID, clusterID: clusterID)
        do {
            try connection.execute(
                "INSERT INTO calculation_analyses (calculation_id, name, step, data) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE data = VALUES(data)",
                [.integer(calculationID), .text(name), .text(step), .text(data.serializedString())])
        } catch {
            guard error.code == .foreignKey else { throw error }
            // Deleted since this process learnt its owner.
            claimedOwners?.forget(calculationID: calculationID)
            throw Self.notOnThisCluster(calculationID)
        }
    }

    func events(calculationID: Int64, page: PageRequest) throws(DatabaseError) -> [(id: Int64, json: JSON)] {
        try connection.query(
            "SELECT id, seq, state, step, level, message, progress_done, progress_total, created_at FROM calculation_events WHERE calculation_id = ? AND id > ? ORDER BY id LIMIT ?",
            [.integer(calculationID), .integer(page.afterID ?? 0), .integer(Int64(page.limit + 1))]
        ).map { row in
            let progress: JSON = row.isNull("progress_done") ? .null : ["done": JSON(row.int("progress_done")), "total": JSON(row.int("progress_total"))]
            return (row.int("id") ?? 0, [
                "seq": JSON(row.int("seq")), "state": JSON(row.string("state")), "step": JSON(row.string("step")),
                "level": JSON(row.string("level")), "message": JSON(row.string("message")), "progress": progress,
                "created_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("created_at"))),
            ])
        }
    }

    func analyses(calculationID: Int64, name: String? = nil) throws(DatabaseError) -> [JSON] {
        var sql = "SELECT name, step, data, updated_at FROM calculation_analyses WHERE calculation_id = ?"
        var values: [SQLValue] = [.integer(calculationID)]
        if let name { sql += " AND name = ?"; values.append(.text(name)) }
        return try connection.query(sql + " ORDER BY name, step", values).map { row in
            [
                "name": JSON(row.string("name")), "step": JSON(row.string("step")),
                "data": row.string("data").flatMap { try? JSON.parse($0) } ?? .null,
                "updated_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("updated_at"))),
            ]
        }
    }
}
