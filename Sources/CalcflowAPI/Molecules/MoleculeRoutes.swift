import CalcflowCore
import JSON
import MariaDB

/// `/molecules`: structures, a molecule's calculations, and one analysis compared across them.
enum MoleculeRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/molecules", access: .anyUser, handler: list),
            Route("POST", "/api/v1/molecules", access: .anyUser, handler: create),
            Route("GET", "/api/v1/molecules/{id}", access: .anyUser, handler: show),
            Route("PATCH", "/api/v1/molecules/{id}", access: .anyUser, handler: update),
            Route("DELETE", "/api/v1/molecules/{id}", access: .anyUser, handler: delete),
            Route("GET", "/api/v1/molecules/{id}/calculations", access: .anyUser, handler: calculations),
            Route("GET", "/api/v1/molecules/{id}/compare", access: .anyUser, handler: compare),
        ]
    }

    static func molecule(_ context: RequestContext) throws -> (MoleculeStore, MoleculeRecord) {
        let store = MoleculeStore(connection: try context.database())
        let id = try context.request.identifier()
        guard let molecule = try store.find(id: id) else { throw APIError(.notFound, "there is no molecule \(id)") }
        return (store, molecule)
    }

    /// A user changes and deletes only the molecules it created; moderators and admins, any.
    static func require(_ action: MoleculePolicy.Action, _ context: RequestContext, _ molecule: MoleculeRecord) throws(APIError) {
        try PolicyEnforcement.enforce(MoleculePolicy.check(action, actor: context.user.party, createdBy: molecule.createdBy))
    }

    static func render(_ molecule: MoleculeRecord, _ context: RequestContext) -> JSON {
        molecule.json.setting("allowed_actions", to: .array(MoleculePolicy.allowedActions(actor: context.user.party, createdBy: molecule.createdBy)
            .map { .string($0.rawValue) }))
    }

    /// The structure's text, checked as xyz; its Hill formula.
    static func structure(_ input: inout InputObject, required: Bool) throws(ValidationError) -> (text: String, formula: String)? {
        guard let object = try input.object("structure", required: required) else { return nil }
        var fields = try InputObject(.object(object), path: "structure")
        let format = try fields.string("format") ?? "xyz"
        guard format == "xyz" else { throw ValidationError(field: "structure.format", message: "must be \"xyz\"") }
        let text = try fields.string("text", required: true, maxLength: 10_000_000) ?? ""
        try fields.rejectUnknownFields()
        return (text, try XYZStructure.parse(text).formula)
    }

    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let items = try MoleculeStore(connection: context.database()).list(afterID: page.afterID ?? 0, limit: page.limit + 1, text: context.request.query["q"])
        return .json(page.page(of: items, id: \.id) { render($0, context) })
    }

    @Sendable static func create(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let name = try input.name("name", required: true) ?? ""
        let formula = try input.string("formula", maxLength: 200)
        let notes = try input.string("notes", maxLength: 100_000) ?? ""
        guard let structure = try structure(&input, required: true) else { throw ValidationError(field: "structure", message: "is required") }
        try input.rejectUnknownFields()
        if let formula, !formula.isEmpty, formula != structure.formula {
            throw ValidationError(field: "formula", message: "says \(formula) but the structure is \(structure.formula); leave formula out to use the structure's")
        }
        guard let molecule = try MoleculeStore(connection: context.database()).create(
            name: name, formula: structure.formula, structure: structure.text, notes: notes, createdBy: context.user.id) else {
            throw APIError(.internalError, "the molecule was not stored")
        }
        return .json(render(molecule, context), status: 201)
    }

    @Sendable static func show(_ context: RequestContext) throws -> Response {
        .json(render(try molecule(context).1, context))
    }

    @Sendable static func update(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        if input.contains("formula") {
            throw ValidationError(field: "formula", message: "is derived from the structure: send a new structure to change it")
        }
        var assignments: [(column: String, value: SQLValue)] = []
        if let name = try input.name("name") { assignments.append(("name", .text(name))) }
        if let notes = try input.string("notes", maxLength: 100_000) { assignments.append(("notes", .text(notes))) }
        if let structure = try structure(&input, required: false) {
            assignments += [("structure_text", .text(structure.text)), ("formula", .text(structure.formula))]
        }
        try input.rejectUnknownFields()
        if assignments.isEmpty { throw ValidationError(field: nil, message: "nothing to change: send name, notes or structure") }
        let (store, molecule) = try molecule(context)
        try require(.edit, context, molecule)
        try store.update(id: molecule.id, assignments)
        return .json(try store.find(id: molecule.id).map { render($0, context) } ?? .null)
    }

    @Sendable static func delete(_ context: RequestContext) throws -> Response {
        let (store, molecule) = try molecule(context)
        try require(.delete, context, molecule)
        if try store.isUsed(id: molecule.id) {
            throw APIError(.conflict, "molecule \(molecule.id) has calculations; delete those first, or keep the molecule")
        }
        try store.delete(id: molecule.id)
        return .noContent
    }

    @Sendable static func calculations(_ context: RequestContext) throws -> Response {
        let page = try context.request.page()
        let (_, molecule) = try molecule(context)
        var filter = CalculationStore.Filter()
        filter.moleculeID = molecule.id
        let items = try context.calculations().list(filter, page: page)
        return .json(page.page(of: items, id: \.id) { CalculationRoutes.render($0, context) })
    }

    /// One analysis side by side across the molecule's calculations: one row per calculation and step.
    @Sendable static func compare(_ context: RequestContext) throws -> Response {
        guard let analysis = context.request.query["analysis"], !analysis.isEmpty else {
            throw ValidationError(field: "analysis", message: "is required, e.g. ?analysis=total_energy")
        }
        let (_, molecule) = try molecule(context)
        let rows = try context.database().query(
            """
            SELECT c.id, c.name, c.engine, c.state, c.steps, c.finished_at, a.step, a.data
            FROM calculations c JOIN calculation_analyses a ON a.calculation_id = c.id AND a.name = ?
            WHERE c.molecule_id = ? ORDER BY c.id, a.step LIMIT 5000
            """, [.text(analysis), .integer(molecule.id)])
        let items: [JSON] = rows.map { row in
            let stepName = row.string("step") ?? ""
            let parameters = (row.string("steps").flatMap { try? JSON.parse($0) }?.arrayValue ?? [])
                .first { $0["name"]?.stringValue == stepName }?["parameters"] ?? .object([:])
            return [
                "calculation_id": JSON(row.int("id")), "calculation": JSON(row.string("name")), "engine": JSON(row.string("engine")),
                "state": JSON(row.string("state")), "step": .string(stepName), "parameters": parameters,
                "finished_at": JSON(Timestamp.rfc3339(fromDatabase: row.string("finished_at"))),
                "data": row.string("data").flatMap { try? JSON.parse($0) } ?? .null,
            ]
        }
        return .json(["molecule_id": .integer(molecule.id), "analysis": .string(analysis), "items": .array(items)])
    }
}
