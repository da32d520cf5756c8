/// The analyses each engine offers, as the union of what the clusters' agents reported.
public struct AnalysisCatalog: Sendable, Equatable {
    /// engine → analysis name → definition.
    public private(set) var engines: [String: [String: AnalysisDefinition]]

    public init(engines: [String: [String: AnalysisDefinition]] = [:]) {
        self.engines = engines
    }

    public mutating func add(engine: String, _ analysis: AnalysisDefinition) {
        var analyses = engines[engine] ?? [:]
        if var known = analyses[analysis.name] {
            // Two clusters may disagree on requirements: the union is the safe reading.
            known.requires = Array(Set(known.requires).union(analysis.requires)).sorted()
            if known.description.isEmpty { known.description = analysis.description }
            analyses[analysis.name] = known
        } else {
            analyses[analysis.name] = analysis
        }
        engines[engine] = analyses
    }

    /// Checks that the engine is known, each analysis is offered by it, and the set is closed
    /// under `requires` (`bands` without `scf` names `scf` as missing).
    public func validate(engine: String, analyses: [String]) throws(ValidationError) {
        guard let offered = engines[engine] else {
            let known = engines.keys.sorted().joined(separator: ", ")
            throw ValidationError(field: "engine", message: known.isEmpty
                ? "'\(engine)' is not offered by any cluster yet: no agent has reported its capabilities"
                : "'\(engine)' is not offered by any cluster; known engines: \(known)")
        }
        let chosen = Set(analyses)
        for (index, name) in analyses.enumerated() {
            guard let definition = offered[name] else {
                throw ValidationError(field: "analyses[\(index)]", message: "'\(name)' is not an analysis of \(engine); it offers \(offered.keys.sorted().joined(separator: ", "))")
            }
            for required in definition.requires where !chosen.contains(required) {
                throw ValidationError(field: "analyses", message: "'\(name)' requires '\(required)'; add '\(required)' to the analyses")
            }
        }
    }
}
