import ArgumentParser
import CalcflowLogging
import CalcflowAgent
import CalcflowConfiguration
import Foundation
import Logging

struct CalcflowAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calcflow-agent",
        abstract: "Calcflow's cluster agent: heartbeat, claim, run, validate, extract, clean up, report.",
        subcommands: [Run.self, Check.self, Inspect.self], defaultSubcommand: Run.self)
}

struct ConfigOption: ParsableArguments {
    @Option(help: "The config file (key = value lines). Default: $CALCFLOW_AGENT_CONFIG.")
    var config: String?

    func load() throws -> AgentConfiguration {
        try AgentConfiguration(ConfigurationFile.load(path: config ?? ProcessInfo.processInfo.environment["CALCFLOW_AGENT_CONFIG"]))
    }
}

func makeLogger() -> Logger { KeyValueLogHandler.bootstrap(label: "calcflow-agent") }

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the agent until it is stopped.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        let agent = try Agent(configuration: options.load(), logger: makeLogger())
        agent.run()
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the config, reach the API and report the engines found.")
    @OptionGroup var options: ConfigOption
    func run() throws {
        print(try Agent(configuration: options.load(), logger: makeLogger()).check())
    }
}

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the verdict and the extracted analyses of an output file or a step's folder as JSON.")
    @Option(help: "xtb, qe, siesta or command.") var engine: String
    @Argument(help: "An output file (read as given), or a step's folder (its stdout.txt, else the file it names as chosen).") var path: String
    func run() throws {
        print(try Agent.inspect(engine: engine, folder: path, configuration: nil).serializedString())
    }
}

CalcflowAgentCommand.main()
