import CalcflowCore
import JSON

/// A model's prediction beside the value a calculation computed, and a model's accuracy over every
/// calculation that has both.
enum PredictionRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/calculations/{id}/predictions", access: .anyUser, handler: list),
            Route("POST", "/api/v1/calculations/{id}/predictions", access: .anyUser, handler: predict),
            Route("GET", "/api/v1/models/{id}/accuracy", access: .anyUser, handler: accuracy),
        ]
    }

    /// Each model that predicts one of the calculation's analyses (of its engine, when the model names
    /// one): its latest prediction, the computed value, and the residual (prediction minus computed).
    @Sendable static func list(_ context: RequestContext) throws -> Response {
        let (_, calculation) = try CalculationRoutes.calculation(context)
        let predictions = PredictionStore(connection: try context.database())
        let latest = try predictions.latest(calculationID: calculation.id)
        var items: [JSON] = []
        for model in try context.models().all() {
            guard let target = model.predicts, target.covers(engine: calculation.engine, analyses: calculation.analyses) else { continue }
            let analysis = target.analysis
            let computed = try predictions.computed(calculation: calculation, analysis: analysis)
            let row = latest[model.id]
            items.append(Predictor.row(model: model, analysis: analysis, value: row?.double("value"), unit: row?.string("unit") ?? target.unit,
                                       computed: computed, error: row?.string("error"),
                                       at: Timestamp.rfc3339(fromDatabase: row?.string("created_at"))))
        }
        return .json(["calculation_id": .integer(calculation.id), "items": .array(items)])
    }

    @Sendable static func predict(_ context: RequestContext) throws -> Response {
        var input = try context.request.inputObject()
        let modelID = try input.integer("model_id", required: true, range: 1...Int64.max) ?? 0
        try input.rejectUnknownFields()
        let (_, calculation) = try CalculationRoutes.calculation(context)
        guard let model = try context.models().find(id: modelID) else {
            throw ValidationError(field: "model_id", message: "there is no model \(modelID)")
        }
        let predictor = Predictor(connection: try context.database(), invoker: try context.modelInvoker())
        return .json(try predictor.predict(calculation, with: model, requestedBy: context.user.id), status: 201)
    }

    @Sendable static func accuracy(_ context: RequestContext) throws -> Response {
        let (_, model) = try ModelRoutes.model(context)
        guard let target = model.predicts else {
            throw APIError(.conflict, "model '\(model.name)' does not say what it predicts; an admin sets its predicts.analysis")
        }
        let analysis = target.analysis
        let accuracy = PredictionAccuracy(pairs: try PredictionStore(connection: context.database()).pairs(modelID: model.id, target: target))
        func figures(_ figures: PredictionAccuracy.Figures) -> JSON {
            ["count": .integer(Int64(figures.count)), "mean_absolute_error": JSON(figures.meanAbsoluteError), "bias": JSON(figures.bias)]
        }
        var result = figures(accuracy.overall).objectValue ?? [:]
        result["model_id"] = .integer(model.id)
        result["analysis"] = .string(analysis)
        result["unit"] = JSON(target.unit)
        result["by_engine"] = .object(accuracy.byEngine.mapValues(figures))
        return .json(.object(result))
    }
}
