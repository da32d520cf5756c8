import ArgumentParser
import CalcflowAPI
import CalcflowConfiguration
import Foundation

struct Calcflowctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calcflowctl",
        abstract: "Administer Calcflow: migrate the database, add users, provision clusters and their agent keys, check the config, measure.",
        subcommands: [Migrate.self, UserCommand.self, ClusterCommand.self, ControllerCommand.self, ConfigCommand.self, BenchCommand.self])
}

/// The `--config` option every subcommand shares.
struct ConfigOption: ParsableArguments {
    @Option(help: "The config file (key = value lines). Default: $CALCFLOW_CONFIG.")
    var config: String?

    func load() throws -> APIConfiguration {
        let file = try ConfigurationFile.load(path: config ?? ProcessInfo.processInfo.environment["CALCFLOW_CONFIG"])
        return try APIConfiguration(file)
    }
}
