import CalcflowCore
import JSON
import MariaDB

/// `/calculations` for people (JWT). The seed's `?processed=false&cluster=NAME` form of the list is
/// the agents' (ck_ key), answered by `AgentRoutes.claimableList`.
enum CalculationRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/calculations", access: .anyUserOrAgent, handler: list),
            Route("POST", "/api/v1/calculations", access: .anyUser, handler: create),
            Route("GET", "/api/v1/calculations/{id}", access: .anyUser, handler: show),
            Route("PATCH", "/api/v1/calculations/{id}", access: .anyUser, handler: update),
            Route("DELETE", "/api/v1/calculations/{id}", access: .anyUser, handler: delete),
            Route("POST", "/api/v1/calculations/{id}/approve", access: .signedIn(minimum: .moderator), handler: approve),
            Route("POST", "/api/v1/calculations/{id}/cancel", access: .anyUser, handler: cancel),
            Route("POST", "/api/v1/calculations/{id}/rerun", access: .anyUser, handler: rerun),
            Route("POST", "/api/v1/calculations/input-matches", access: .anyUser, handler: inputMatches),
            Route("GET", "/api/v1/calculations/{id}/events", access: .anyUser, handler: events),
            Route("GET", "/api/v1/calculations/{id}/stream", access: .anyUser, handler: stream),
            Route("GET", "/api/v1/calculations/{id}/analyses", access: .anyUser, handler: analyses),
            Route("GET", "/api/v1/calculations/{id}/analyses/{name}", access: .anyUser, handler: analysis),
            Route("GET", "/api/v1/analyses", access: .anyUser, handler: catalog),
        ]
    }

    static func calculation(_ context: RequestContext) throws -> (CalculationStore, CalculationRecord) {
        let calculations = try context.calculations()
        let id = try context.request.identifier()
        guard let calculation = try calculations.find(id: id) else { throw APIError(.notFound, "there is no calculation \(id)") }
        return (calculations, calculation)
    }

    /// `CalculationPolicy`'s answer, as the API's error: the same answer that `allowed_actions` lists.
    static func require(_ action: CalculationPolicy.Action, _ context: RequestContext, _ calculation: CalculationRecord) throws(APIError) {
        try PolicyEnforcement.enforce(CalculationPolicy.check(action, actor: context.user.party, on: calculation.policySubject))
    }

    static func render(_ calculation: CalculationRecord, _ context: RequestContext) -> JSON {
        calculation.json(for: context.user.party)
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        if context.agentIdentity != nil { return try AgentRoutes.claimableList(context) }
        let query = context.request.query
        let page = try context.request.page()
        var filter = CalculationStore.Filter()
        if let state = query["state"], !state.isEmpty {
            guard let parsed = CalculationState(rawValue: state) else {
                throw ValidationError(field: "state", message: "must be one of \(CalculationState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.state = parsed
        }
        filter.clusterID = try integerQuery(context, "cluster_id")
        filter.moleculeID = try integerQuery(context, "molecule_id")
        filter.createdBy = try integerQuery(context, "created_by")
        if let engine = query["engine"], !engine.isEmpty { filter.engine = engine }
        if let hash = query["input_sha256"], !hash.isEmpty {
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { throw ValidationError(field: "input_sha256", message: "must be 64 hexadecimal digits") }
            filter.inputSHA256 = hash.lowercased()
        }
        filter.text = query["q"]
        filter.order = try CalculationListOrder(sort: query["sort"], order: query["order"])
        let items = try context.calculations().list(filter, page: page)
        let key: ((CalculationRecord) -> String)? = switch filter.order.key {
        case .id: nil
        case .name: { $0.name }
        case .priority: { String($0.priority) }
        }
        return .json(page.page(of: items, id: \.id, key: key) { render($0, context) })
    }

    static func integerQuery(_ context: RequestContext, _ name: String) throws(ValidationError) -> Int64? {
        guard let text = context.request.query[name], !text.isEmpty else { return nil }
        guard let value = Int64(text), value > 0 else { throw ValidationError(field: name, message: "must be a positive integer id") }
        return value
    }

    /// What a calculation's input was checked against: its cluster, and its molecule's structure now.
    struct Checked {
        var cluster: ClusterRecord
        var moleculeStructure: String?
    }

    /// Checks cluster, molecule, engine, analyses, configuration and steps together, as one calculation.
    static func validate(_ context: RequestContext, clusterID: Int64, moleculeID: Int64?, engine: String, configuration: JSON,
                         analyses: [String], steps: StepPlan) throws -> Checked {
        let database = try context.database()
        let clusters = try context.clusters()
        guard let cluster = try context.worker.clusters.value(for: clusterID, load: { try clusters.find(id: clusterID) }) else {
            throw ValidationError(field: "cluster_id", message: "there is no cluster \(clusterID)")
        }
        var structure: String?
        if let moleculeID {
            guard let molecule = try MoleculeStore(connection: database).find(id: moleculeID) else {
                throw ValidationError(field: "molecule_id", message: "there is no molecule \(moleculeID)")
            }
            structure = molecule.structureText
        }
        let catalog = try context.worker.catalog.value(for: 0) { try clusters.catalog() } ?? AnalysisCatalog()
        try catalog.validate(engine: engine, analyses: analyses)
        try EngineConfiguration.validate(engine: engine, configuration, hasMolecule: moleculeID != nil)
        try EngineConfiguration.validate(engine: engine, configuration, steps: steps)
        return Checked(cluster: cluster, moleculeStructure: structure)
    }

    static func approvalReason(_ context: RequestContext, engine: String, cluster: ClusterRecord) -> String? {
        CalculationPolicy.approvalReason(role: context.user.role, engine: engine, clusterName: cluster.name,
                                         clusterRequiresApproval: cluster.requiresApproval)
    }

    @Sendable static func create(_ context: RequestContext) throws -> Response {
        var body = try context.request.inputObject()
        let input = try CalculationInput(&body, creating: true)
        let engine = input.engine ?? ""
        let analyses = input.analyses ?? []
        let clusterID = input.clusterID ?? 0
        let moleculeID = input.moleculeID ?? nil
        let configuration = input.configuration ?? .object([:])
        let steps = input.steps ?? StepPlan(steps: [StepPlan.Step(name: "main")])
        let priority = input.priority ?? 0
        try CalculationPolicy.checkPriority(priority, role: context.user.role)
        let checked = try validate(context, clusterID: clusterID, moleculeID: moleculeID, engine: engine, configuration: configuration,
                                   analyses: analyses, steps: steps)
        let created = try context.calculations().create(CalculationStore.NewCalculation(
            name: input.name ?? "", description: input.description ?? "", clusterID: clusterID, moleculeID: moleculeID, engine: engine,
            configuration: configuration, steps: steps, analyses: analyses,
            priority: priority, keepRaw: input.keepRaw ?? false, createdBy: context.user.id,
            approvalReason: approvalReason(context, engine: engine, cluster: checked.cluster), rerunOf: nil,
            moleculeStructure: checked.moleculeStructure), clusterName: checked.cluster.name)
        context.services.logger.info("calculation_created", metadata: ["calc": "\(created.id)", "cluster": "\(checked.cluster.name)", "state": "\(created.state.rawValue)", "by": "\(context.user.id)"])
        announceIfClaimable(created, context)
        return .json(render(created, context), status: 201)
    }

    /// An agent of its cluster waiting in a claim takes it at once.
    static func announceIfClaimable(_ calculation: CalculationRecord, _ context: RequestContext) {
        if calculation.state == CalculationLifecycle.claimedFrom { context.services.claimWakeups.announce(cluster: calculation.clusterID) }
    }

    @Sendable static func show(_ context: RequestContext) throws -> Response {
        .json(render(try calculation(context).1, context))
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var body = try context.request.inputObject()
        let input = try CalculationInput(&body, creating: false)
        let (calculations, calculation) = try calculation(context)
        try require(.edit, context, calculation)
        if let priority = input.priority { try CalculationPolicy.checkPriority(priority, role: context.user.role) }
        var assignments: [(column: String, value: SQLValue)] = []
        var approvalReason: String?
        if input.altersTheRun {
            let engine = input.engine ?? calculation.engine
            let checked = try validate(context, clusterID: input.clusterID ?? calculation.clusterID, moleculeID: input.moleculeID ?? calculation.moleculeID,
                                       engine: engine, configuration: input.configuration ?? calculation.configuration,
                                       analyses: input.analyses ?? calculation.analyses, steps: try input.steps ?? StepPlan.read(calculation.steps))
            approvalReason = Self.approvalReason(context, engine: engine, cluster: checked.cluster)
            // A new molecule brings its structure as it is now; other edits keep the copy the calculation has.
            if input.moleculeID != nil { assignments.append(("molecule_structure", SQLValue(checked.moleculeStructure))) }
            let structure = input.moleculeID != nil ? checked.moleculeStructure : try calculations.moleculeStructure(of: calculation.id)
            assignments.append(("input_sha256", .text(CalculationInputHash.of(
                engine: engine, configuration: input.configuration ?? calculation.configuration,
                steps: try (input.steps ?? StepPlan.read(calculation.steps)).json, structure: structure))))
        }
        if let name = input.name { assignments.append(("name", .text(name))) }
        if let description = input.description { assignments.append(("description", .text(description))) }
        if let cluster = input.clusterID { assignments.append(("cluster_id", .integer(cluster))) }
        if let molecule = input.moleculeID { assignments.append(("molecule_id", SQLValue(molecule))) }
        if let engine = input.engine { assignments.append(("engine", .text(engine))) }
        if let configuration = input.configuration { assignments.append(("configuration", .text(configuration.serializedString()))) }
        if let steps = input.steps { assignments.append(("steps", .text(steps.json.serializedString()))) }
        if let analyses = input.analyses { assignments.append(("analyses", .text(JSON.array(analyses.map(JSON.string)).serializedString()))) }
        if let priority = input.priority { assignments.append(("priority", .integer(priority))) }
        if let keepRaw = input.keepRaw { assignments.append(("keep_raw", SQLValue(keepRaw))) }
        if assignments.isEmpty { throw ValidationError(field: nil, message: "nothing to change") }
        let updated = try calculations.edit(id: calculation.id, assignments, approvalReason: approvalReason)
        if updated.state != calculation.state {
            context.services.logger.info("calculation_needs_approval", metadata: ["calc": "\(calculation.id)", "by": "\(context.user.id)"])
        }
        announceIfClaimable(updated, context)
        return .json(render(updated, context))
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        try require(.delete, context, calculation)
        try calculations.delete(id: calculation.id)
        context.services.logger.info("calculation_deleted", metadata: ["calc": "\(calculation.id)", "by": "\(context.user.id)"])
        return .noContent
    }

    @Sendable static func approve(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        try require(.approve, context, calculation)
        let approved = try calculations.approve(id: calculation.id, by: context.user.id)
        context.services.logger.info("calculation_approved", metadata: ["calc": "\(calculation.id)", "by": "\(context.user.id)"])
        announceIfClaimable(approved, context)
        return .json(render(approved, context))
    }

    @Sendable static func cancel(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        try require(.cancel, context, calculation)
        let cancelled = try calculations.cancel(id: calculation.id, by: context.user.email)
        context.services.logger.info("calculation_cancel", metadata: ["calc": "\(calculation.id)", "state": "\(cancelled.state.rawValue)", "by": "\(context.user.id)"])
        return .json(render(cancelled, context))
    }

    @Sendable static func rerun(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        try require(.rerun, context, calculation)
        let steps = try StepPlan.read(calculation.steps)
        let checked = try validate(context, clusterID: calculation.clusterID, moleculeID: calculation.moleculeID, engine: calculation.engine,
                                   configuration: calculation.configuration, analyses: calculation.analyses, steps: steps)
        // The same input: the structure the original ran with, when it kept one.
        let structure = try calculations.moleculeStructure(of: calculation.id) ?? checked.moleculeStructure
        let priority = CalculationPolicy.priorityRange(for: context.user.role).clamped(calculation.priority)
        let created = try calculations.create(CalculationStore.NewCalculation(
            name: calculation.name, description: calculation.description, clusterID: calculation.clusterID, moleculeID: calculation.moleculeID,
            engine: calculation.engine, configuration: calculation.configuration, steps: steps, analyses: calculation.analyses,
            priority: priority, keepRaw: calculation.keepRaw, createdBy: context.user.id,
            approvalReason: approvalReason(context, engine: calculation.engine, cluster: checked.cluster), rerunOf: calculation.id,
            moleculeStructure: calculation.moleculeID == nil ? nil : structure), clusterName: checked.cluster.name)
        announceIfClaimable(created, context)
        return .json(render(created, context), status: 201)
    }

    /// `POST /calculations/input-matches` with a create body: the calculations that computed the same
    /// input (engine, configuration, steps, structure), newest first, so the form can say "already
    /// computed" before creating. Checked as a create would be, so the hash is the one it would get.
    @Sendable static func inputMatches(_ context: RequestContext) throws -> Response {
        var body = try context.request.inputObject()
        let input = try CalculationInput(&body, creating: true)
        guard let clusterID = input.clusterID, let engine = input.engine else { throw ValidationError(field: "cluster_id", message: "is required") }
        let steps = try input.steps ?? StepPlan.read(nil)
        let checked = try validate(context, clusterID: clusterID, moleculeID: input.moleculeID ?? nil, engine: engine,
                                   configuration: input.configuration ?? .object([:]), analyses: input.analyses ?? [], steps: steps)
        let hash = CalculationInputHash.of(engine: engine, configuration: input.configuration ?? .object([:]), steps: steps.json,
                                           structure: checked.moleculeStructure)
        var filter = CalculationStore.Filter()
        filter.inputSHA256 = hash
        filter.order = CalculationListOrder(key: .id, descending: true)
        let matches = try context.calculations().list(filter, page: PageRequest(limit: 10))
        return .json(["input_sha256": .string(hash), "items": .array(matches.prefix(10).map { render($0, context) })])
    }

    /// `GET /calculations/{id}/stream`: the calculation's page live. An `event: calculation` with the
    /// calculation whenever its state or progress changes (the first at once), an `event: event` per
    /// new event, and `end` once it has finished.
    @Sendable static func stream(_ context: RequestContext) throws -> Response {
        let (calculations, first) = try calculation(context)
        var lastEventID: Int64 = context.request.query["after_event"].flatMap { Int64($0) } ?? 0
        var shown: JSON?
        return try EventStreamSession.run(context, greeting: "calcflow calculation \(first.id)") {
            guard let calculation = try calculations.find(id: first.id) else {
                return EventStreamSession.Round(messages: [], finished: true)
            }
            var messages: [String] = []
            let events = try calculations.events(calculationID: calculation.id, page: PageRequest(limit: 200, afterID: lastEventID))
            for event in events.prefix(200) {
                messages.append("id: \(event.id)\nevent: event\ndata: \(event.json.serializedString())\n\n")
                lastEventID = event.id
            }
            let summary: JSON = ["state": .string(calculation.state.rawValue), "progress": calculation.progress, "reason": JSON(calculation.reason),
                                 "cancel_requested": .bool(calculation.cancelRequested)]
            if summary != shown {
                messages.append("event: calculation\ndata: \(render(calculation, context).serializedString())\n\n")
                shown = summary
            }
            return EventStreamSession.Round(messages: messages, finished: calculation.state.isFinished, moreWaiting: events.count > 200)
        }
    }

    @Sendable static func events(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let (calculations, calculation) = try calculation(context)
        let events = try calculations.events(calculationID: calculation.id, page: page)
        return .json(page.page(of: events, id: \.id, render: \.json))
    }

    @Sendable static func analyses(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        return .json(["items": .array(try calculations.analyses(calculationID: calculation.id)), "next_cursor": .null])
    }

    @Sendable static func analysis(_ context: RequestContext) throws -> Response {
        let (calculations, calculation) = try calculation(context)
        let name = context.request.pathParameters["name"] ?? ""
        let items = try calculations.analyses(calculationID: calculation.id, name: name)
        guard !items.isEmpty else { throw APIError(.notFound, "calculation \(calculation.id) has no results for '\(name)' yet") }
        return .json(["name": .string(name), "items": .array(items)])
    }

    @Sendable static func catalog(_ context: RequestContext) throws -> Response {
        let clusters = try context.clusters()
        let catalog = try clusters.catalog()
        let versions = try clusters.engineVersions()
        var items: [JSON] = []
        for (engine, analyses) in catalog.engines.sorted(by: { $0.key < $1.key }) {
            for analysis in analyses.values.sorted(by: { $0.name < $1.name }) {
                items.append(["engine": .string(engine), "name": .string(analysis.name), "requires": .array(analysis.requires.map(JSON.string)),
                              "description": .string(analysis.description), "clusters": .array(versions[engine] ?? [])])
            }
        }
        return .json(["items": .array(items), "next_cursor": .null])
    }
}
