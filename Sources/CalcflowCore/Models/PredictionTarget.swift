import JSON

/// What a model says it predicts: one analysis, in a unit, of the calculations that compute it. When
/// it names an engine, of that engine's calculations only: a model trained on xtb energies has nothing
/// to say about a pw.x run's, and its residuals there would only bury the ones that mean something.
public struct PredictionTarget: Equatable, Sendable {
    public var analysis: String
    public var unit: String?
    public var engine: String?

    public init(analysis: String, unit: String? = nil, engine: String? = nil) {
        self.analysis = analysis
        self.unit = unit
        self.engine = engine
    }

    /// Whether the model predicts a calculation run by `calculationEngine` that computes `analyses`.
    public func covers(engine calculationEngine: String, analyses: [String]) -> Bool {
        analyses.contains(analysis) && (engine == nil || engine == calculationEngine)
    }

    /// Why the model does not predict such a calculation, for the person who asked it to; nil when it does.
    public func refusal(engine calculationEngine: String, analyses: [String], calculation: Int64, model: String) -> String? {
        if !analyses.contains(analysis) { return "calculation \(calculation) does not compute \(analysis), which model '\(model)' predicts" }
        if let engine, engine != calculationEngine {
            return "model '\(model)' predicts \(analysis) of \(engine) calculations; calculation \(calculation) is run by \(calculationEngine)"
        }
        return nil
    }

    public var json: JSON { ["analysis": .string(analysis), "unit": JSON(unit), "engine": JSON(engine)] }
}
