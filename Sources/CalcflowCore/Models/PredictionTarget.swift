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

    /// Why a model does not predict a calculation.
    public enum Mismatch: Equatable, Sendable {
        /// The calculation does not compute the analysis.
        case analysisNotComputed
        /// The model names another engine than the calculation's.
        case otherEngine
    }

    /// Why the model does not predict a calculation run by `calculationEngine` that computes
    /// `analyses`; nil when it does.
    public func mismatch(engine calculationEngine: String, analyses: [String]) -> Mismatch? {
        if !analyses.contains(analysis) { return .analysisNotComputed }
        if let engine, engine != calculationEngine { return .otherEngine }
        return nil
    }

    /// Whether the model predicts a calculation run by `calculationEngine` that computes `analyses`.
    public func covers(engine calculationEngine: String, analyses: [String]) -> Bool {
        mismatch(engine: calculationEngine, analyses: analyses) == nil
    }

    /// Why the model does not predict such a calculation, for the person who asked it to; nil when it does.
    public func refusal(engine calculationEngine: String, analyses: [String], calculation: Int64, model: String) -> String? {
        switch mismatch(engine: calculationEngine, analyses: analyses) {
        case nil: nil
        case .analysisNotComputed: "calculation \(calculation) does not compute \(analysis), which model '\(model)' predicts"
        case .otherEngine: "model '\(model)' predicts \(analysis) of \(engine ?? "") calculations; calculation \(calculation) is run by \(calculationEngine)"
        }
    }

    public var json: JSON { ["analysis": .string(analysis), "unit": JSON(unit), "engine": JSON(engine)] }
}
