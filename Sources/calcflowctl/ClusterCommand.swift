import ArgumentParser
import CalcflowAPI
import Foundation
import MariaDB

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Provision clusters and their agents' keys.",
                                                    subcommands: [Add.self, Key.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a cluster (nothing changes when it exists).")
        @OptionGroup var options: ConfigOption
        @Option(help: "The cluster's name.") var name: String
        @Option(help: "What it is.") var description: String = ""
        func run() throws {
            let connection = try Connection(configuration: try options.load().database)
            let (id, created) = try ClusterAdministration.ensureCluster(name: name, description: description, on: connection)
            print(created ? "added cluster \(name) with id \(id)" : "cluster \(name) exists (id \(id)); nothing changed")
        }
    }

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new ck_ key for a cluster's agent and write it to a file (mode 0600).")
        @OptionGroup var options: ConfigOption
        @Option(help: "The cluster's name.") var name: String
        @Option(help: "Where the key is used.") var label: String = "agent"
        @Option(help: "The file to write the key to; without it, the key is printed.") var output: String?
        func run() throws {
            let connection = try Connection(configuration: try options.load().database)
            guard let row = try connection.queryFirst("SELECT id FROM clusters WHERE name = ?", [.text(name)]), let id = row.int("id") else {
                throw ValidationError("there is no cluster \(name); add it with calcflowctl cluster add")
            }
            try KeyFile.deliver(try ClusterAdministration.issueKey(clusterID: id, label: label, on: connection), to: output, what: name)
        }
    }
}

struct ControllerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "controller", abstract: "Provision model controllers' keys.",
                                                    subcommands: [Key.self])

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new mk_ key for a model controller (calcflow-models) and write it to a file (mode 0600).")
        @OptionGroup var options: ConfigOption
        @Option(help: "Where the key is used.") var label: String = "calcflow-models"
        @Option(help: "The file to write the key to; without it, the key is printed.") var output: String?
        func run() throws {
            let connection = try Connection(configuration: try options.load().database)
            try KeyFile.deliver(try ControllerAdministration.issueKey(label: label, on: connection), to: output, what: "the model controller")
        }
    }
}
