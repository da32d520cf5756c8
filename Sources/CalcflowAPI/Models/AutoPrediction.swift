import Foundation
import HTTPClient
import MariaDB

/// Models marked auto_predict predict every succeeded calculation of their analysis, a few at a time,
/// on one API host at a time (a lease row, as the maintenance jobs).
enum AutoPrediction {
    static func lease(_ services: APIServices) -> Lease {
        Lease("predictions", seconds: max(5, 3 * services.configuration.maintenanceIntervalMilliseconds / 1_000))
    }

    static func run(on connection: Connection, client: HTTPClient, services: APIServices) throws {
        guard try lease(services).acquire(on: connection) else { return }
        let models = try ModelStore(connection: connection, changes: services.modelGeneration).all().filter { model in
            model.autoPredict && model.predictsAnalysis != nil
                && model.shownState(silentAfter: Int64(services.configuration.lostAfterSeconds)) == .healthy
        }
        let calculations = CalculationStore(connection: connection, publicURL: services.configuration.publicURL)
        let predictor = Predictor(connection: connection, invoker: ModelInvoker(connection: connection, client: client, configuration: services.configuration,
                                                                       records: services.invocations, shard: 0, metrics: MetricHandles()))
        // A campaign finishes calculations by the hundred: the backlog is worked through page after
        // page (20 a round kept a model 4 a second behind), for well under the lease's time. A page
        // with a failure waits for the next round, so a model that stopped answering is not asked
        // the same again and again.
        let started = Date()
        let budget = Double(lease(services).seconds) / 3
        for model in models {
            var complete = false
            while !complete, Date().timeIntervalSince(started) < budget, !services.isStopping {
                let page = try PredictionStore(connection: connection).awaitingAutoPrediction(modelID: model.id, analysis: model.predictsAnalysis!, limit: pageSize)
                complete = page.count < pageSize
                for id in page {
                    guard let calculation = try calculations.find(id: id) else { continue }
                    do { try predictor.predict(calculation, with: model, requestedBy: nil) } catch {
                        services.logger.warning("auto_prediction_failed", metadata: ["model": "\(model.id)", "calc": "\(id)", "error": "\(error)"])
                        complete = true
                    }
                }
            }
        }
    }

    static let pageSize = 20
}
