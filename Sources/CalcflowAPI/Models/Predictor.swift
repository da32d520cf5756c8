import CalcflowCore
import HTTPClient
import JSON
import MariaDB

/// Asks a model for its prediction of a calculation: the input is built from the calculation (the
/// molecule's formula and xyz, the engine and its configuration), the answer's number is kept beside
/// what the calculation computed.
struct Predictor {
    let connection: Connection
    let invoker: ModelInvoker

    /// What a model that predicts from calculations receives.
    static func input(_ calculation: CalculationRecord, analysis: String, unit: String?, molecule: MoleculeRecord?, structure: String?) -> JSON {
        var moleculeJSON: JSON = .null
        if let molecule {
            moleculeJSON = ["id": .integer(molecule.id), "name": .string(molecule.name), "formula": .string(molecule.formula),
                            "structure": ["format": "xyz", "text": .string(structure ?? molecule.structureText)]]
        } else if let text = calculation.configuration["structure"]?["text"]?.stringValue {
            moleculeJSON = ["formula": JSON((try? XYZStructure.parse(text))?.formula), "structure": ["format": "xyz", "text": .string(text)]]
        }
        return ["calculation_id": .integer(calculation.id), "engine": .string(calculation.engine), "analysis": .string(analysis),
                "unit": JSON(unit), "molecule": moleculeJSON, "configuration": calculation.configuration]
    }

    @discardableResult
    func predict(_ calculation: CalculationRecord, with model: ModelRecord, requestedBy: Int64?) throws -> JSON {
        guard let target = model.predicts else {
            throw APIError(.conflict, "model '\(model.name)' does not say what it predicts; an admin sets its predicts.analysis")
        }
        if let refusal = target.refusal(engine: calculation.engine, analyses: calculation.analyses, calculation: calculation.id, model: model.name) {
            throw APIError(.conflict, refusal)
        }
        let analysis = target.analysis
        let molecule = try calculation.moleculeID.flatMap { id throws(DatabaseError) in try MoleculeStore(connection: connection).find(id: id) }
        let structure = try CalculationStore(connection: connection, publicURL: "").moleculeStructure(of: calculation.id)
        let body = Self.input(calculation, analysis: analysis, unit: target.unit, molecule: molecule, structure: structure).serialized()
        let outcome = try invoker.invoke(model, body: body, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                         userID: requestedBy)
        let status = outcome.response.status
        var value: Double?
        var error: String?
        if let answer = outcome.answer, (200..<300).contains(answer.status) {
            value = (try? JSON.parse(answer.body)).flatMap(PredictionAccuracy.value(of:))
            if value == nil { error = "the model's answer holds no number: \(answer.text.prefix(200))" }
        } else {
            error = (try? JSON.parse(outcome.response.body))?["error"]?["message"]?.stringValue
                ?? "the model answered \(status): \(String(decoding: outcome.response.body.prefix(200), as: UTF8.self))"
        }
        let predictions = PredictionStore(connection: connection)
        try predictions.record(calculationID: calculation.id, modelID: model.id, analysis: analysis, value: value, unit: target.unit,
                               status: status, error: error, requestedBy: requestedBy)
        let computed = try predictions.computed(calculation: calculation, analysis: analysis)
        return Self.row(model: model, analysis: analysis, value: value, unit: target.unit, computed: computed, error: error)
    }

    static func row(model: ModelRecord, analysis: String, value: Double?, unit: String?, computed: Double?, error: String?, at: String? = nil) -> JSON {
        let residual: JSON = (value != nil && computed != nil) ? .number(value! - computed!) : .null
        return ["model_id": .integer(model.id), "model": .string(model.name), "analysis": .string(analysis), "prediction": JSON(value),
                "unit": JSON(unit), "computed": JSON(computed), "residual": residual, "error": JSON(error), "predicted_at": JSON(at)]
    }
}
