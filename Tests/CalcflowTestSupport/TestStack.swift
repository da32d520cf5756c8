import Foundation
import JSON
import MariaDB

/// A whole Calcflow in a temporary folder: MariaDB, calcflow-api and nginx, started with the
/// repository's own scripts and config, on ports of its own. Each test class owns one.
public final class TestStack: @unchecked Sendable {
    public let directory: String
    public let httpsPort: Int
    public let certificate: String
    public let adminEmail = "admin@calcflow.test"
    public let adminPassword = "correct horse battery staple"
    public var baseURL: String { "https://127.0.0.1:\(httpsPort)" }
    private var apiProcess: Process?
    private var smtpProcess: Process?
    private let configuration: [String: String]
    /// Where the SMTP sink (aiosmtpd) delivers, when the stack has one: a Maildir.
    public let mailDirectory: String

    public static let binaries: String = {
        if let directory = ProcessInfo.processInfo.environment["CALCFLOW_BIN_DIR"] { return directory }
        return Shell.repository + "/.build/debug"
    }()

    /// `settings` are extra lines of the API's config file (`user_cache_ms`, `threads`, ...).
    /// How the SMTP sink speaks: in clear, TLS from the first byte (smtps), or upgraded with STARTTLS;
    /// `login` is STARTTLS to a relay that requires `required` ("user:password") and is given `given`.
    public enum MailSecurity: Sendable {
        case plain, smtps, startTLS
        case login(required: String, given: String)
    }

    public init(settings: [String: String] = [:], smtpSink: Bool = false, mailSecurity: MailSecurity = .plain) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-test-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        // Below the kernel's ephemeral range (32768 and up), where client sockets could hold the port.
        httpsPort = Int.random(in: 12_000...32_000)
        certificate = directory + "/tls/cert.pem"
        mailDirectory = directory + "/mail"
        var settings = settings
        if smtpSink {
            switch mailSecurity {
            case .smtps: settings["smtp_url"] = "smtps://localhost:\(httpsPort + 3)"
            case .login(_, let given): settings["smtp_url"] = "smtp://\(given)@localhost:\(httpsPort + 3)"
            case .plain, .startTLS: settings["smtp_url"] = "smtp://localhost:\(httpsPort + 3)"
            }
            settings["smtp_ca_file"] = certificate
        }
        configuration = settings
        do {
            try Shell.run("make_certificate '\(directory)'", environment: ["CALCFLOW_STATE_DIR": directory])
            if smtpSink { try startSMTPSink(port: httpsPort + 3, security: mailSecurity) }
            try startDatabase()
            try writeConfiguration()
            try Shell.run("'\(TestStack.binaries)/calcflowctl' migrate --config '\(directory)/calcflow.conf' --migrations '\(Shell.repository)/migrations'")
            try Shell.run("printf '%s\\n' '\(adminPassword)' | '\(TestStack.binaries)/calcflowctl' user add --config '\(directory)/calcflow.conf' --email \(adminEmail) --role admin --password-stdin")
            try startAPI()
            try Shell.run("""
                make_certificate '\(directory)'
                render_nginx '\(directory)' '\(Shell.repository)/www' \(httpsPort) \(httpsPort + 1) \(httpsPort + 2)
                (without_inherited_fds nginx -p '\(directory)/nginx' -c '\(directory)/nginx/nginx.conf' -e '\(directory)/logs/nginx-error.log')
                """, environment: environment)
            let client = makeClient()
            try Deadline.wait(for: "healthz") { try client.get("/api/v1/healthz").status == 200 }
        } catch {
            stop()
            throw error
        }
    }

    private var environment: [String: String] { ["CALCFLOW_STATE_DIR": directory] }

    /// aiosmtpd, storing every mail it receives in a Maildir (Tests/MailSink/smtp_sink.py).
    private func startSMTPSink(port: Int, security: MailSecurity) throws {
        let certificateFiles = ["--cert", certificate, "--key", directory + "/tls/key.pem"]
        var options: [String] = []
        switch security {
        case .plain: break
        case .smtps: options = ["--tls", "smtps"] + certificateFiles
        case .startTLS: options = ["--tls", "starttls"] + certificateFiles
        case .login(let required, _): options = ["--tls", "starttls", "--login", required] + certificateFiles
        }
        smtpProcess = try SMTPSink.start(port: port, maildir: mailDirectory, options: options)
    }

    /// The mails the sink received, as raw MIME texts.
    public func receivedMails() -> [String] { SMTPSink.messages(in: mailDirectory) }

    public func makeClient() -> APIClient { APIClient(baseURL: baseURL, certificate: certificate) }

    private func startDatabase() throws {
        try Shell.run("""
            start_mariadb '\(directory)'
            mariadb --socket='\(directory)/run/mariadb.sock' -uroot -e "CREATE DATABASE IF NOT EXISTS calcflow CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            """, environment: environment)
    }

    private func writeConfiguration() throws { try writeConfiguration(configuration) }

    private func writeConfiguration(_ configuration: [String: String]) throws {
        var lines = [
            "socket = \(directory)/run/api.sock",
            "stream_socket = \(directory)/run/api-stream.sock",
            "socket_mode = 0660", "socket_group = \(Shell.currentGroup)",
            "threads = 8",
            "stream_threads = 4",
            "db_socket = \(directory)/run/mariadb.sock",
            "db_user = root",
            "db_name = calcflow",
            "jwt_secret = \(String(repeating: "test-secret-", count: 4))",
            "openapi_file = \(Shell.repository)/Sources/CalcflowAPI/Resources/openapi.json",
            "public_url = \(baseURL)",
            "log_level = debug",
        ]
        for (key, value) in configuration { lines.append("\(key) = \(value)") }
        try lines.joined(separator: "\n").write(toFile: directory + "/calcflow.conf", atomically: true, encoding: .utf8)
    }

    public func startAPI() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestStack.binaries + "/calcflow-api")
        process.arguments = ["--config", directory + "/calcflow.conf"]
        // The test runner's own CALCFLOW_ variables must not reconfigure the API under test.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALCFLOW_") }
        guard FileManager.default.createFile(atPath: directory + "/logs/calcflow-api.log", contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/logs/calcflow-api.log"))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        apiProcess = process
        try Deadline.wait(for: "the API socket") { FileManager.default.fileExists(atPath: directory + "/run/api.sock") }
    }

    /// calcflow-api's memory in kilobytes, as /proc reports it: `VmRSS` now, or `VmHWM`, the peak.
    public func apiMemory(_ field: String = "VmRSS") -> Int? {
        guard let process = apiProcess,
              let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Kills calcflow-api with SIGKILL: nothing of it runs after this.
    public func killAPI() throws {
        guard let process = apiProcess else { return }
        _ = try Shell.run("kill -KILL \(process.processIdentifier)")
        try Deadline.wait(for: "calcflow-api to die") { !process.isRunning }
        apiProcess = nil
    }

    /// Restarts calcflow-api with other settings (the config file is rewritten).
    public func restartAPI(settings: [String: String]) throws {
        if apiProcess != nil { _ = try terminateAPI() }
        var merged = configuration
        for (key, value) in settings { merged[key] = value }
        try writeConfiguration(merged)
        try startAPI()
        let client = makeClient()
        try Deadline.wait(for: "healthz after restart") { try client.get("/api/v1/healthz").status == 200 }
    }

    /// Sends SIGTERM to calcflow-api and returns its exit status once it has stopped.
    public func terminateAPI(timeout: Double = 20) throws -> Int32 {
        guard let process = apiProcess else { return -1 }
        process.terminate()
        try Deadline.wait(for: "calcflow-api to exit", seconds: timeout) { !process.isRunning }
        apiProcess = nil
        return process.terminationStatus
    }

    /// Stops MariaDB and starts it again on the same data dir.
    public func restartDatabase() throws {
        try Shell.run("stop_pid '\(directory)/run/mariadb.pid' MariaDB; start_mariadb '\(directory)'", environment: environment)
    }

    /// A root connection to the stack's database, for checking what the API stored.
    public func database() throws -> Connection {
        try Connection(configuration: DatabaseConfiguration(unixSocket: directory + "/run/mariadb.sock", user: "root", database: "calcflow"))
    }

    public func apiLog() -> String {
        (try? String(contentsOfFile: directory + "/logs/calcflow-api.log", encoding: .utf8)) ?? ""
    }

    /// podman's Docker-compatible service for this stack, with the base image and the contract test
    /// model built into its private storage; returns the engine's socket.
    @discardableResult
    public func startContainerEngine() throws -> String {
        try Shell.run("""
            start_podman '\(directory)'
            build_base_image '\(directory)'
            podman build --network none -q -t localhost/calcflow/contract-test:1 '\(Shell.repository)/Tests/ModelImages/contract-test' >/dev/null
            """, environment: environment)
        containerEngineSocket = directory + "/run/podman.sock"
        return directory + "/run/podman.sock"
    }

    public private(set) var containerEngineSocket: String?

    /// The example model (models/example-energy), trained with seed xtb runs, built on this stack's engine.
    public func buildExampleModel() throws {
        try Shell.run("build_example_model_image '\(directory)'", environment: environment)
    }

    /// Runs `podman` against this stack's engine (its storage), for what a test must do behind the
    /// controller's back (kill a container, count them).
    @discardableResult
    public func podman(_ arguments: String) throws -> String {
        try Shell.run("podman_environment '\(directory)'; podman \(arguments)", environment: environment)
    }

    public func stop() {
        if containerEngineSocket != nil {
            _ = try? podman("rm -af -t 1")
            _ = try? Shell.run("stop_pid '\(directory)/run/podman.pid' podman", environment: environment)
            containerEngineSocket = nil
        }
        if let process = apiProcess, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        apiProcess = nil
        if let smtp = smtpProcess, smtp.isRunning {
            smtp.terminate()
            smtp.waitUntilExit()
        }
        _ = try? Shell.run("""
            stop_pid '\(directory)/run/nginx.pid' nginx QUIT
            stop_pid '\(directory)/run/mariadb.pid' MariaDB
            """, environment: environment)
        if ProcessInfo.processInfo.environment["CALCFLOW_KEEP_TEST_STATE"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
