import CalcflowCore
import Foundation
import JSON
import MariaDB

/// The agent protocol (`ck_` key; the key decides the cluster): heartbeat, capabilities, claim,
/// events, analysis results and logs.
enum AgentRoutes {
    static let uploadLimit = 16 << 20

    static var routes: [Route] {
        [
            Route("POST", "/api/v1/agent/heartbeat", access: .agentKey, handler: heartbeat),
            Route("PUT", "/api/v1/agent/capabilities", access: .agentKey, bodyLimit: uploadLimit, handler: capabilities),
            Route("POST", "/api/v1/agent/claim", access: .agentKey, handler: claim),
            Route("POST", "/api/v1/agent/updates", access: .agentKey, bodyLimit: uploadLimit, handler: AgentUpdateBatch.handle),
            Route("POST", "/api/v1/agent/logs", access: .agentKey, bodyLimit: uploadLimit, handler: logs),
        ] + reportRoutes
    }

    /// What an agent reports about its calculations, alone or in a batch of `POST /agent/updates`.
    /// Each may be sent twice without harm (events by their seq, uploads are PUTs), so a batch of
    /// them may be too; log lines, which have no number, are not among them.
    static var reportRoutes: [Route] {
        [
            Route("POST", "/api/v1/agent/calculations/{id}/events", access: .agentKey, bodyLimit: uploadLimit, handler: event),
            Route("PUT", "/api/v1/agent/calculations/{id}/analyses/{name}", access: .agentKey, bodyLimit: uploadLimit, handler: analysis),
        ]
    }

    @Sendable static func heartbeat(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let heartbeat = try Heartbeat(&input)
        let agent = context.agent
        let database = try context.database()
        let clusters = try context.clusters()
        if let overflow = context.services.heartbeats.append(clusterID: agent.clusterID, heartbeat, shard: context.worker.index) {
            try context.services.heartbeats.write(overflow, on: database)
        }
        if context.worker.shouldMarkSeen(clusterID: agent.clusterID) {
            try clusters.markSeen(clusterID: agent.clusterID, heartbeat)
        }
        let store = try context.calculations()
        if context.worker.shouldCheckRunning(clusterID: agent.clusterID, ids: heartbeat.running) {
            try store.reconcileRunning(clusterID: agent.clusterID, running: heartbeat.running)
            let settled = try store.settleUnlisted(clusterID: agent.clusterID, keyID: agent.keyID, listed: heartbeat.running,
                                                   claimedBefore: context.services.configuration.lostAfterSeconds)
            if settled.lost > 0 {
                context.services.logger.warning("runs_lost", metadata: ["cluster": "\(agent.clusterName)", "count": "\(settled.lost)", "reason": "not listed by its agent"])
            }
            if settled.requeued > 0 {
                context.services.logger.warning("claims_requeued", metadata: ["cluster": "\(agent.clusterName)", "count": "\(settled.requeued)",
                                                                              "reason": "claimed, never received by its agent"])
            }
        }
        let cancel = try context.worker.cancellations(clusterID: agent.clusterID) { try store.cancelRequests(clusterID: agent.clusterID) }
        return .json([
            "enabled": .bool(agent.enabled), "server_time": .string(Timestamp.rfc3339(Date())),
            "cancel": .array(cancel.map(JSON.integer)),
        ])
    }

    @Sendable static func capabilities(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        guard case .array(let engines)? = try input.json("engines", required: true) else {
            throw ValidationError(field: "engines", message: "must be a list of {name, version, analyses}")
        }
        try input.rejectUnknownFields()
        var parsed: [(name: String, version: String, analyses: [AnalysisDefinition])] = []
        for (index, engine) in engines.enumerated() {
            var fields = try InputObject(engine, path: "engines[\(index)]")
            let name = try fields.string("name", required: true, maxLength: 64, allowEmpty: false) ?? ""
            let version = try fields.string("version", maxLength: 200) ?? ""
            guard case .array(let analyses)? = try fields.json("analyses", required: true) else {
                throw ValidationError(field: "engines[\(index)].analyses", message: "must be a list of {name, requires, description}")
            }
            try fields.rejectUnknownFields()
            var definitions: [AnalysisDefinition] = []
            for (position, analysis) in analyses.enumerated() {
                var entry = try InputObject(analysis, path: "engines[\(index)].analyses[\(position)]")
                definitions.append(AnalysisDefinition(
                    name: try entry.string("name", required: true, maxLength: 64, allowEmpty: false) ?? "",
                    requires: try entry.strings("requires", maxCount: 50) ?? [],
                    description: try entry.string("description", maxLength: 2_000) ?? ""))
                try entry.rejectUnknownFields()
            }
            let names = Set(definitions.map(\.name))
            for definition in definitions {
                for required in definition.requires where !names.contains(required) {
                    throw ValidationError(field: "engines[\(index)].analyses", message: "'\(definition.name)' requires '\(required)', which \(name) does not offer")
                }
            }
            parsed.append((name, version, definitions))
        }
        try context.clusters().replaceCapabilities(clusterID: context.agent.clusterID, parsed)
        context.services.catalogGeneration.invalidate()
        context.services.logger.info("capabilities", metadata: [
            "cluster": "\(context.agent.clusterName)", "engines": "\(parsed.map(\.name).joined(separator: ","))",
        ])
        return .noContent
    }

    /// `GET /calculations?processed=false&cluster=NAME` with a `ck_` key: the seed's query.
    static func claimableList(_ context: RequestContext) throws -> Response {
        let agent = context.agent
        let query = context.request.query
        if let cluster = query["cluster"], !cluster.isEmpty, cluster != agent.clusterName {
            throw APIError(.forbidden, "this key belongs to cluster '\(agent.clusterName)'; it cannot list '\(cluster)'")
        }
        if let processed = query["processed"], processed != "false" {
            throw ValidationError(field: "processed", message: "agents list only processed=false (the claimable calculations)")
        }
        let page = try context.request.page()
        let items = try context.calculations().claimable(clusterID: agent.clusterID, limit: page.limit)
        return .json(["items": .array(items.map(\.json)), "next_cursor": .null])
    }

    /// The longest a claim may wait for work: below nginx's and libcurl's timeouts with room to spare.
    static let longestClaimWait: Int64 = 25

    /// `POST /agent/claim`, with no body: the next calculation, as one object. With
    /// `{"max": N, "wait_seconds": S, "claim_id": UUID}`: up to N at once as `{"calculations": [...]}`,
    /// and when there is none yet, the answer waits up to S seconds for one instead of the agent asking
    /// again and again. A claim sent again with its claim_id gets what it took the first time.
    @Sendable static func claim(_ context: RequestContext) throws -> Response {
        let agent = context.agent
        var wanted = 1
        var waitSeconds: Int64 = 0
        var token: String?
        let batch = !context.request.body.isEmpty
        if batch {
            var input = try context.request.inputObject()
            wanted = Int(try input.integer("max", range: 1...64) ?? 1)
            waitSeconds = try input.integer("wait_seconds", range: 0...longestClaimWait) ?? 0
            token = try input.string("claim_id", maxLength: 64, allowEmpty: false)
            if let token, !token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                throw ValidationError(field: "claim_id", message: "may hold ASCII letters, digits and '-' only (a UUID)")
            }
            try input.rejectUnknownFields()
        }
        guard agent.enabled else { return .noContent }
        let wakeups = context.services.claimWakeups
        let deadline = Date(timeIntervalSinceNow: Double(waitSeconds))
        var holdsAWaitingPlace = false
        let pool = context.worker.pool
        defer { if holdsAWaitingPlace { wakeups.endWaiting(on: pool) } }
        var claimed: [CalculationRecord] = []
        while true {
            // An agent that went away while its claim waited (stopped, restarted) must not be given
            // calculations it will never hear of.
            guard context.stream.isConnected else {
                context.services.logger.info("claim_abandoned", metadata: ["cluster": "\(agent.clusterName)"])
                return .noContent
            }
            let generation = wakeups.generation(of: agent.clusterID)
            claimed = try context.calculations().claim(clusterID: agent.clusterID, keyID: agent.keyID, maxRunning: agent.maxRunning,
                                                       clusterName: agent.clusterName, wanted: wanted, token: token)
            guard claimed.isEmpty, Date() < deadline, !context.services.isStopping else { break }
            if !holdsAWaitingPlace {
                guard wakeups.beginWaiting(on: pool, openStreams: context.services.streamLimiter.openCount) else { break }
                holdsAWaitingPlace = true
            }
            // Another API host's new work is found by looking again each second.
            wakeups.wait(cluster: agent.clusterID, since: generation, until: min(deadline, Date(timeIntervalSinceNow: 1)))
        }
        guard !claimed.isEmpty else { return .noContent }
        let molecules = MoleculeStore(connection: try context.database())
        var bodies: [JSON] = []
        for calculation in claimed {
            var body = calculation.json.objectValue ?? [:]
            if let moleculeID = calculation.moleculeID, let molecule = try molecules.find(id: moleculeID) {
                var copy = molecule
                // The structure the calculation was created or last edited with, not the molecule's latest.
                if let kept = calculation.moleculeStructure { copy.structureText = kept }
                body["molecule"] = copy.json
            }
            bodies.append(.object(body))
            context.services.logger.info("claim", metadata: ["cluster": "\(agent.clusterName)", "calc": "\(calculation.id)"])
        }
        return .json(batch ? ["calculations": .array(bodies)] : bodies[0])
    }

    @Sendable static func event(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let seq = try input.integer("seq", required: true, range: 0...Int64.max) ?? 0
        let stateText = try input.string("state", maxLength: 32)
        let state = try stateText.map { text throws(ValidationError) -> CalculationState in
            guard let state = CalculationState(rawValue: text), state != .pendingApproval, state != .queued else {
                throw ValidationError(field: "state", message: "must be running, succeeded, failed, not_converged or cancelled")
            }
            return state
        }
        let reason = try input.string("reason", maxLength: 2_000)
        let step = try input.string("step", maxLength: 100)
        let level = try input.choice("level", of: EventLevel.self, required: true) ?? .info
        let message = try input.string("message", required: true, maxLength: 100_000) ?? ""
        var done: Int64?
        var total: Int64?
        if let progress = try input.object("progress") {
            var fields = try InputObject(.object(progress), path: "progress")
            done = try fields.integer("done", required: true, range: 0...Int64(UInt32.max))
            total = try fields.integer("total", required: true, range: 0...Int64(UInt32.max))
            try fields.rejectUnknownFields()
        }
        try input.rejectUnknownFields()
        let calculationID = try context.request.identifier()
        let applied = try context.calculations().record(
            CalculationStore.Event(seq: seq, state: state, reason: reason, step: step, level: level.rawValue, message: message,
                                   progressDone: done, progressTotal: total),
            calculationID: calculationID, clusterID: context.agent.clusterID, clusterName: context.agent.clusterName)
        if applied, let state {
            context.services.logger.info("calculation_state", metadata: ["calc": "\(calculationID)", "state": "\(state.rawValue)", "seq": "\(seq)"])
            // A slot under the cluster's max_running is free: a claim waiting on the limit may go on.
            if state.isFinished, context.agent.maxRunning > 0 { context.services.claimWakeups.announce(cluster: context.agent.clusterID) }
        }
        return .noContent
    }

    enum EventLevel: String, CaseIterable {
        case info = "INFO"
        case error = "ERROR"
    }

    @Sendable static func analysis(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let step = try input.string("step", maxLength: 100) ?? ""
        guard let data = try input.json("data", required: true), data.objectValue != nil || data.arrayValue != nil else {
            throw ValidationError(field: "data", message: "must be an object (or a list) of the extracted data")
        }
        try input.rejectUnknownFields()
        let name = context.request.pathParameters["name"] ?? ""
        guard !name.isEmpty, name.unicodeScalars.count <= 64 else { throw APIError(.notFound, "no analysis name in the path") }
        try context.calculations().putAnalysis(calculationID: try context.request.identifier(), clusterID: context.agent.clusterID,
                                              name: name, step: step, data: data)
        return .noContent
    }

    @Sendable static func logs(_ context: RequestContext) throws -> Response {
        let parsed = try LogEntriesInput.read(context, source: .agent)
        try LogStore(connection: context.database()).ingest(parsed, clusterID: context.agent.clusterID)
        return .noContent
    }
}
