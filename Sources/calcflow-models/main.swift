import ArgumentParser
import CalcflowConfiguration
import CalcflowLogging
import CalcflowModels
import Foundation
import Logging

struct CalcflowModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calcflow-models",
        abstract: "Calcflow's model controller: keeps SageMaker-style model containers in their desired state on a Docker or podman engine.",
        subcommands: [Run.self, Check.self], defaultSubcommand: Run.self)
}

struct ConfigOption: ParsableArguments {
    @Option(help: "The config file (key = value lines). Default: $CALCFLOW_MODELS_CONFIG.")
    var config: String?

    func load() throws -> ControllerConfiguration {
        try ControllerConfiguration(ConfigurationFile.load(path: config ?? ProcessInfo.processInfo.environment["CALCFLOW_MODELS_CONFIG"]))
    }
}

func makeLogger() -> Logger { KeyValueLogHandler.bootstrap(label: "calcflow-models") }

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the controller until it is stopped.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        ModelController(configuration: try options.load(), logger: makeLogger()).run()
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the config, reach the API and the container engine.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        print(try ModelController(configuration: options.load(), logger: makeLogger()).check())
    }
}

CalcflowModelsCommand.main()
