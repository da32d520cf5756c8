import CalcflowCore
import Foundation
import HTTPClient

/// What the automatic prediction loop keeps between its rounds, on the host that holds its lease.
final class AutoPredictionProgress {
    /// The loop's connection to model containers.
    let client = HTTPClient()

    /// How often a round looks at every succeeded calculation again, not only at those finished
    /// since: it catches an analysis an agent put on a calculation after its final state.
    static let sweepSeconds: TimeInterval = 600

    private struct Coverage {
        /// The database time from which a round must look: a complete round before found every
        /// calculation finished earlier predicted.
        var from: String
        var sweptAt: Date
    }

    /// Per model, what it predicts (analysis and engine) and with which image. A model not seen in a round loses its
    /// entry, so one turned on again looks at everything once.
    private var coverage: [String: Coverage] = [:]

    static func key(_ model: ModelRecord, target: PredictionTarget) -> String {
        "\(model.id)/\(target.analysis)/\(target.engine ?? "*")/\(model.imageDigest ?? model.image)"
    }

    /// Forgets the models that are no longer predicting.
    func keep(only keys: Set<String>) {
        coverage = coverage.filter { keys.contains($0.key) }
    }

    /// The finished_at from which this round looks, or nil when it must look at everything.
    func roundStart(for key: String, now: Date = Date()) -> String? {
        guard let covered = coverage[key], now.timeIntervalSince(covered.sweptAt) < Self.sweepSeconds else { return nil }
        return covered.from
    }

    /// A round went through to its end without a failure: the next looks from `from`.
    func completed(_ key: String, lookedFrom start: String?, nextFrom from: String, now: Date = Date()) {
        let sweptAt = start == nil ? now : coverage[key]?.sweptAt ?? now
        coverage[key] = Coverage(from: from, sweptAt: sweptAt)
    }
}
