import CalcflowCore
import Foundation
import HTTPClient
import MariaDB

/// Models marked auto_predict predict every succeeded calculation of their analysis, a few at a time,
/// on one API host at a time (a lease row, as the maintenance jobs).
enum AutoPrediction {
    static func lease(_ services: APIServices) -> Lease {
        Lease("predictions", seconds: max(5, 3 * services.configuration.maintenanceIntervalMilliseconds / 1_000))
    }

    /// How far back of its last complete round a round looks: a calculation's final write stamps
    /// `finished_at` with its statement's start, before its transaction commits, so one committed
    /// just after a round began may carry a time before it. A write that waited longer for a lock
    /// is found by the next sweep (`AutoPredictionProgress.sweepSeconds`).
    static let overlapSeconds = 15

    static func run(on connection: Connection, progress: AutoPredictionProgress, services: APIServices) throws {
        guard try lease(services).acquire(on: connection) else { return }
        let models = try ModelStore(connection: connection, changes: services.modelGeneration).all().compactMap { model -> PredictingModel? in
            guard model.autoPredict, let target = model.predicts,
                  model.shownState(silentAfter: Int64(services.configuration.lostAfterSeconds)) == .healthy else { return nil }
            return PredictingModel(model: model, target: target, key: AutoPredictionProgress.key(model, target: target))
        }
        progress.keep(only: Set(models.map(\.key)))
        guard !models.isEmpty else { return }
        let calculations = CalculationStore(connection: connection, publicURL: services.configuration.publicURL)
        let predictor = Predictor(connection: connection, invoker: ModelInvoker(connection: connection, client: progress.client, configuration: services.configuration,
                                                                       records: services.invocations, shard: 0, metrics: MetricHandles()))
        // A campaign finishes calculations by the hundred: the backlog is worked through page after
        // page (20 a round kept a model 4 a second behind), for well under the lease's time. A page
        // with a failure waits for the next round, so a model that stopped answering is not asked
        // the same again and again.
        let started = Date()
        // Taken once, before any model's first page: the next round of each looks from here.
        let roundFrom = try connection.queryFirst("SELECT CAST(CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND AS CHAR) AS start",
                                                  [.integer(Int64(overlapSeconds))])?.string("start")
        let budget = Double(lease(services).seconds) / 3
        for predicting in models {
            let (model, key) = (predicting.model, predicting.key)
            let start = progress.roundStart(for: key)
            var complete = false
            var failed = false
            while !complete, Date().timeIntervalSince(started) < budget, !services.isStopping {
                let page = try PredictionStore(connection: connection).awaitingAutoPrediction(
                    modelID: model.id, target: predicting.target, finishedFrom: start, limit: pageSize)
                complete = page.count < pageSize
                for id in page {
                    guard let calculation = try calculations.find(id: id) else { continue }
                    do { try predictor.predict(calculation, with: model, requestedBy: nil) } catch {
                        services.logger.warning("auto_prediction_failed", metadata: ["model": "\(model.id)", "calc": "\(id)", "error": "\((error as? APIError)?.message ?? "\(error)")"])
                        complete = true
                        failed = true
                    }
                }
            }
            // Only a round that went through to the end without a failure moves the start of the next.
            if complete, !failed, let roundFrom { progress.completed(key, lookedFrom: start, nextFrom: roundFrom) }
        }
    }

    static let pageSize = 20

    /// A healthy auto-predicting model, with what it predicts and its key in the progress.
    private struct PredictingModel {
        let model: ModelRecord
        let target: PredictionTarget
        let key: String
    }
}
