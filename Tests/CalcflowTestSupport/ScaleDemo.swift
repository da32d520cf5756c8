import Foundation

/// `make scale-demo` brought up for a test: three Galera nodes and two API hosts in network
/// namespaces, a front nginx, two agents, and an SMTP sink that the hosts reach on their bridge. The
/// same scripts a sysadmin runs (deploy/local/scale-demo*.sh), with the tests' debug binaries.
public final class ScaleDemo {
    public let directory: String
    public let frontURL: String
    public let certificate: String
    public let adminEmail = "admin@scale.test"
    public let adminPassword = "a scale demo admin password"
    public let mailDirectory: String
    private var smtpProcess: Process?

    /// The bridge's address on this machine: what the hosts in the namespaces reach it by.
    public static let bridgeAddress = "10.77.0.1"

    public init(agentParallelism: Int, lostAfterSeconds: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("calcflow-scale-\(UUID().uuidString.prefix(8))").path
        mailDirectory = directory + "/mail"
        // Not the Maildir itself: the sink makes it whole (new/, cur/, tmp/) only where none is.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = Int.random(in: 12_000...32_000)
        frontURL = "https://127.0.0.1:\(port)"
        certificate = directory + "/scale/tls/cert.pem"
        // On every address: the bridge the hosts send through exists only once the demo has made it.
        smtpProcess = try SMTPSink.start(port: port + 3, maildir: mailDirectory, host: "0.0.0.0")
        do {
            try Shell.run("'\(Shell.repository)/deploy/local/scale-demo.sh'", environment: [
                "CALCFLOW_STATE_DIR": directory, "CALCFLOW_SCALE_HTTPS_PORT": "\(port)",
                "CALCFLOW_ADMIN_EMAIL": adminEmail, "CALCFLOW_ADMIN_PASSWORD": adminPassword,
                "CALCFLOW_SMTP_URL": "smtp://\(Self.bridgeAddress):\(port + 3)",
                "CALCFLOW_AGENT_MAX_PARALLEL": "\(agentParallelism)", "CALCFLOW_LOST_AFTER": "\(lostAfterSeconds)",
                // The flood's mails come as digests; one every 5 s, not every 10 minutes, within the test's wait.
                "CALCFLOW_MAIL_DIGEST_WINDOW": "5",
            ])
        } catch {
            stop()
            throw error
        }
    }

    /// `deploy/local/scale-demo-host.sh kill|start <host>`: what it printed.
    @discardableResult
    public func host(_ action: String, _ name: String) throws -> String {
        try Shell.run("'\(Shell.repository)/deploy/local/scale-demo-host.sh' \(action) \(name)", environment: ["CALCFLOW_STATE_DIR": directory])
    }

    /// A host's log (db1..3, api1..2, agent1..2, nginx-error).
    public func log(_ name: String) -> String {
        let live = directory + "/scale/logs/\(name).log"
        let kept = directory + "/scale-logs/\(name).log"
        return (try? String(contentsOfFile: live, encoding: .utf8)) ?? (try? String(contentsOfFile: kept, encoding: .utf8)) ?? ""
    }

    /// A query on a Galera node, as root over its socket; its rows, tab-separated.
    public func query(_ sql: String, node: Int = 1) throws -> [[String]] {
        let output = try Shell.run("mariadb --socket='\(directory)/scale/run/db\(node).sock' -uroot -N -B calcflow <<'SQL'\n\(sql)\nSQL")
        return output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The mails the sink received, as raw MIME texts.
    public func receivedMails() -> [String] { SMTPSink.messages(in: mailDirectory) }

    public func makeClient() -> APIClient { APIClient(baseURL: frontURL, certificate: certificate) }

    /// Takes it all down (`make scale-demo-stop`); the logs stay, in `scale-logs/`.
    public func stop() {
        _ = try? Shell.run("'\(Shell.repository)/deploy/local/scale-demo-stop.sh'", environment: ["CALCFLOW_STATE_DIR": directory])
        smtpProcess?.terminate()
        smtpProcess?.waitUntilExit()
        smtpProcess = nil
    }
}
