import ArgumentParser
import CalcflowAPI
import CalcflowCore
import Crypto
import Foundation
import MariaDB

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. Without --password-stdin a password is generated and printed.")

        @OptionGroup var options: ConfigOption

        @Option(help: "The user's email, used to sign in.")
        var email: String

        @Option(help: "user, moderator or admin.")
        var role: String = "user"

        @Option(help: "The user's name as shown in the dashboard.")
        var name: String = ""

        @Flag(help: "Read the password from standard input (one line).")
        var passwordStdin = false

        @Flag(help: "Succeed without changes when the email already has a user.")
        var ifAbsent = false

        func run() throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be user, moderator or admin")
            }
            let email = try EmailAddress.normalized(self.email)
            let password: String
            if passwordStdin {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
                password = line
            } else {
                password = OpaqueToken.generate(bytes: 15)
            }
            try PasswordRule.check(password)
            let configuration = try options.load()
            let connection = try Connection(configuration: configuration.database)
            if try connection.queryFirst("SELECT id FROM users WHERE active_email = ?", [.text(email)]) != nil {
                if ifAbsent {
                    print("\(email) already exists; nothing changed")
                    return
                }
                throw ValidationError("a user with the email \(email) already exists")
            }
            let hash = try Argon2id().hash(password: password)
            let result = try connection.execute("INSERT INTO users (email, name, role, password_hash) VALUES (?, ?, ?, ?)",
                                                [.text(email), .text(name), .text(role.rawValue), .text(hash)])
            print("added \(role.rawValue) \(email) with id \(result.lastInsertID)")
            if !passwordStdin { print("password: \(password)") }
        }
    }
}
