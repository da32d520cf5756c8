import ArgumentParser
import CalcflowAPI
import Foundation
import MariaDB

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the config, reach the database, and report pending migrations. Exits non-zero on any problem.")

        @OptionGroup var options: ConfigOption

        func run() throws {
            let configuration = try options.load()
            var problems: [String] = []
            print("config: ok (jwt secret \(configuration.jwtSecret.count) bytes, \(configuration.threads) threads, socket \(configuration.socketPath))")
            let socketFolder = URL(fileURLWithPath: configuration.socketPath).deletingLastPathComponent().path
            if !FileManager.default.isWritableFile(atPath: socketFolder) {
                problems.append("the socket folder \(socketFolder) does not exist or is not writable")
            }
            if !FileManager.default.fileExists(atPath: configuration.openAPIFile) {
                problems.append("openapi_file \(configuration.openAPIFile) does not exist")
            }
            do {
                let connection = try Connection(configuration: configuration.database)
                try connection.ping()
                print("database: reachable")
                let pending = try Migrator().pending(on: connection)
                if pending.isEmpty { print("migrations: up to date") } else { problems.append("migrations pending: \(pending.joined(separator: ", ")); run calcflowctl migrate") }
            } catch {
                problems.append("database: \(error)")
            }
            if let smtp = configuration.smtpURL, !(smtp.hasPrefix("smtp://") || smtp.hasPrefix("smtps://")) {
                problems.append("smtp_url must start with smtp:// or smtps://")
            }
            for problem in problems { print("problem: \(problem)") }
            if !problems.isEmpty { throw ExitCode(1) }
            print("all checks passed")
        }
    }
}
