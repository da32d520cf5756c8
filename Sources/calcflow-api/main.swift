import ArgumentParser
import Foundation
import CalcflowAPI
import CalcflowConfiguration

struct CalcflowAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calcflow-api",
        abstract: "Calcflow's FastCGI responder: every /api/v1 route, behind nginx on a unix socket.",
        discussion: "Settings come from the config file, and CALCFLOW_<KEY> environment variables override them. SIGTERM stops it cleanly.")

    @Option(help: "The config file (key = value lines). Default: $CALCFLOW_CONFIG.")
    var config: String?

    func run() throws {
        let file = try ConfigurationFile.load(path: config ?? ProcessInfo.processInfo.environment["CALCFLOW_CONFIG"])
        let configuration = try APIConfiguration(file)
        let logger = LoggingSetup.bootstrap(level: configuration.logLevel)
        let services = try APIServices(configuration: configuration, logger: logger)
        services.metrics.bootstrap()
        try APIServer(services: services).run()
    }
}

CalcflowAPICommand.main()
