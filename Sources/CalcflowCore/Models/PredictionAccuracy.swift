import JSON

/// How close a model's predictions came to what the calculations computed: mean absolute error and
/// bias (the mean of prediction minus computed), overall and per engine.
public struct PredictionAccuracy: Sendable, Equatable {
    public struct Figures: Sendable, Equatable {
        public var count = 0
        public var meanAbsoluteError: Double?
        public var bias: Double?
    }

    public private(set) var overall = Figures()
    public private(set) var byEngine: [String: Figures] = [:]

    public init(pairs: [(engine: String, predicted: Double, computed: Double)]) {
        overall = Self.figures(pairs.map { $0.predicted - $0.computed })
        for engine in Set(pairs.map(\.engine)) {
            byEngine[engine] = Self.figures(pairs.filter { $0.engine == engine }.map { $0.predicted - $0.computed })
        }
    }

    static func figures(_ residuals: [Double]) -> Figures {
        guard !residuals.isEmpty else { return Figures() }
        let count = Double(residuals.count)
        return Figures(count: residuals.count, meanAbsoluteError: residuals.map(abs).reduce(0, +) / count, bias: residuals.reduce(0, +) / count)
    }

    /// A model's answer as a number: `{"prediction": x}`, `{"value": x}`, `{"predictions": [x, ...]}`
    /// (the first), or a bare `x`; nil for anything else.
    public static func value(of answer: JSON) -> Double? {
        if let number = answer.doubleValue { return number }
        if let number = answer["prediction"]?.doubleValue ?? answer["value"]?.doubleValue { return number }
        if let first = answer["predictions"]?.arrayValue?.first { return value(of: first) }
        return nil
    }
}
