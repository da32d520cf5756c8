import ArgumentParser
import CalcflowAPI
import MariaDB

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the migrations that the database does not have yet, in order. Safe to run again.")

    @OptionGroup var options: ConfigOption

    @Option(help: "The folder of NNNN_name.sql files.")
    var migrations: String = Migrator.defaultDirectory

    func run() throws {
        let connection = try Connection(configuration: try options.load().database)
        let applied = try Migrator(directory: migrations).apply(on: connection) { print($0) }
        print(applied.isEmpty ? "the database is up to date" : "applied \(applied.count) migration(s)")
    }
}
