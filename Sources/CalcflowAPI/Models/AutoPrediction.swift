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
        for model in models {
            for id in try PredictionStore(connection: connection).awaitingAutoPrediction(modelID: model.id, analysis: model.predictsAnalysis!, limit: 20) {
                guard let calculation = try calculations.find(id: id) else { continue }
                do { try predictor.predict(calculation, with: model, requestedBy: nil) } catch {
                    services.logger.warning("auto_prediction_failed", metadata: ["model": "\(model.id)", "calc": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}
