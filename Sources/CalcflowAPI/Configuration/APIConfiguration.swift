import CalcflowCore
import CalcflowConfiguration
import Foundation
import MariaDB

/// Everything `calcflow-api` and `calcflowctl` read from the config file and environment.
public struct APIConfiguration: Sendable {
    public var socketPath: String
    public var socketMode: UInt32
    /// The group of nginx's workers, which the sockets are given to (optional).
    public var socketGroup: String?
    public var threads: Int
    public var streamSocketPath: String
    public var streamThreads: Int
    /// A token that Prometheus presents to scrape /metrics (besides an admin's JWT); nil: admins only.
    public var metricsToken: String?
    /// The largest body a model invocation may carry (SageMaker's default: 6 MiB).
    public var invocationBodyLimit: Int
    /// Live streams one user may hold open at once.
    public var streamsPerUser: Int
    public var database: DatabaseConfiguration
    public var jwtSecret: [UInt8]
    public var accessTokenLifetimeSeconds: Int
    public var refreshTokenLifetimeSeconds: Int
    public var publicURL: String
    public var smtpURL: String?
    public var mailFrom: String
    /// Certificates to trust for the SMTP relay's TLS, when it is not signed by a public CA.
    public var smtpCAFile: String?
    public var openAPIFile: String
    public var logLevel: String
    /// Sign-in throttling (`SignInThrottle`).
    public var signInThrottle: SignInThrottle
    /// How long a signed-in user's row is trusted without asking MariaDB again (0: ask every time).
    public var userCacheMilliseconds: Int
    /// How often a live stream looks for new log entries.
    public var streamPollMilliseconds: Int
    /// A running calculation whose cluster has been silent this long is lost.
    public var lostAfterSeconds: Int
    /// How often the maintenance thread runs (lost runs, heartbeat rollups and retention).
    public var maintenanceIntervalMilliseconds: Int
    /// How often the mail sender looks for due mail.
    public var mailPollMilliseconds: Int
    /// When mails about calculations that pile up for one person go as one digest.
    public var mailDigest: MailDigestPolicy
    /// Days a mail stays in the outbox, sent or not.
    public var mailRetentionDays: Int
    /// Days a model invocation's record (input, response, latency) is kept.
    public var invocationRetentionDays: Int

    public static let minimumSecretBytes = 32

    public init(_ file: ConfigurationFile) throws(ConfigurationFile.Problem) {
        socketPath = file.string("socket", default: "/run/calcflow/api.sock")
        // FastCGI over TCP ("10.0.0.2:9000", for a front nginx on another host) has no authentication:
        // it listens on one private address, never on every interface.
        for (key, value) in [("socket", socketPath), ("stream_socket", file.string("stream_socket"))] {
            guard let value, !value.hasPrefix("/"), let colon = value.lastIndex(of: ":") else { continue }
            let host = value[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard !host.isEmpty, host != "0.0.0.0", host != "::", host != "*" else {
                throw ConfigurationFile.Problem(message: "\(key) = \(value) would take FastCGI from every network; give the one private address nginx connects to, e.g. 10.0.0.2:9000")
            }
            guard let port = Int(value[value.index(after: colon)...]), (1...65_535).contains(port) else {
                throw ConfigurationFile.Problem(message: "\(key) = \(value): a TCP listener is address:port")
            }
        }
        let modeText = file.string("socket_mode", default: "0660")
        guard let mode = UInt32(modeText, radix: 8) else {
            throw ConfigurationFile.Problem(message: "socket_mode must be octal like 0660, not '\(modeText)'")
        }
        guard mode & 0o002 == 0 else {
            throw ConfigurationFile.Problem(message: "socket_mode \(modeText) lets every local user write to the API's socket; use 0660 and socket_group")
        }
        socketMode = mode
        socketGroup = file.string("socket_group")
        threads = try file.integer("threads", default: 8, range: 1...512)
        // Streams beside the requests: the next port for a TCP listener, `…-stream.sock` for a file.
        var streamDefault = socketPath.replacingOccurrences(of: ".sock", with: "") + "-stream.sock"
        if !socketPath.hasPrefix("/"), let colon = socketPath.lastIndex(of: ":"), let port = Int(socketPath[socketPath.index(after: colon)...]) {
            streamDefault = socketPath[..<colon] + ":\(port + 1)"
        }
        streamSocketPath = file.string("stream_socket", default: streamDefault)
        streamThreads = try file.integer("stream_threads", default: 16, range: 1...1024)
        streamsPerUser = try file.integer("streams_per_user", default: 4, range: 1...1024)
        metricsToken = try file.secret("metrics_token")
        if let metricsToken, metricsToken.utf8.count < 16 {
            throw ConfigurationFile.Problem(message: "metrics_token must be at least 16 characters (openssl rand -hex 16)")
        }
        invocationBodyLimit = try file.integer("invocation_body_limit", default: 6 << 20, range: 1_024...(16 << 20))
        // db_hosts: the nodes of a Galera cluster, this host's own first; the others are tried in
        // turn when it cannot be reached.
        var nodes: [DatabaseConfiguration.Node] = []
        if let list = file.string("db_hosts"), !list.trimmingCharacters(in: .whitespaces).isEmpty {
            for item in list.split(separator: ",") {
                guard let node = DatabaseConfiguration.Node(String(item)) else {
                    throw ConfigurationFile.Problem(message: "db_hosts: '\(item.trimmingCharacters(in: .whitespaces))' is not host:port")
                }
                nodes.append(node)
            }
        }
        let single = DatabaseConfiguration.Node(host: file.string("db_host", default: "127.0.0.1"),
                                                port: UInt32(try file.integer("db_port", default: 3306, range: 1...65535)))
        let first = nodes.first ?? single
        database = DatabaseConfiguration(
            host: first.host,
            port: first.port,
            fallbacks: Array(nodes.dropFirst()),
            unixSocket: file.string("db_socket"),
            user: file.string("db_user", default: "calcflow"),
            password: try file.secret("db_password") ?? "",
            database: file.string("db_name", default: "calcflow"))
        guard let secret = try file.secret("jwt_secret") else {
            throw ConfigurationFile.Problem(message: "jwt_secret_file (or jwt_secret) is required: a file with at least \(Self.minimumSecretBytes) random bytes, e.g. `openssl rand -hex 32`")
        }
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            throw ConfigurationFile.Problem(message: "jwt_secret is \(secret.utf8.count) bytes; it needs at least \(Self.minimumSecretBytes)")
        }
        jwtSecret = Array(secret.utf8)
        accessTokenLifetimeSeconds = try file.integer("access_token_ttl", default: 900, range: 10...86_400)
        refreshTokenLifetimeSeconds = try file.integer("refresh_token_ttl", default: 30 * 86_400, range: 60...365 * 86_400)
        publicURL = file.string("public_url", default: "https://127.0.0.1:8443")
        smtpURL = file.string("smtp_url")
        mailFrom = file.string("mail_from", default: "Calcflow <calcflow@localhost>")
        smtpCAFile = file.string("smtp_ca_file")
        openAPIFile = file.string("openapi_file", default: APIConfiguration.defaultOpenAPIFile)
        logLevel = file.string("log_level", default: "info")
        signInThrottle = SignInThrottle()
        signInThrottle.windowSeconds = Int64(try file.integer("login_failure_window", default: 900, range: 60...86_400))
        signInThrottle.freeFailures = Int64(try file.integer("login_free_failures", default: 5, range: 1...1_000))
        signInThrottle.maximumDelay = Int64(try file.integer("login_maximum_delay", default: 300, range: 1...86_400))
        signInThrottle.emailCeiling = Int64(try file.integer("login_email_ceiling", default: 30, range: 1...100_000))
        signInThrottle.addressCeiling = Int64(try file.integer("login_address_ceiling", default: 100, range: 1...100_000))
        signInThrottle.knownAddressInterval = Int64(try file.integer("login_known_address_interval", default: 60, range: 1...3_600))
        userCacheMilliseconds = try file.integer("user_cache_ms", default: 1_000, range: 0...60_000)
        streamPollMilliseconds = try file.integer("stream_poll_ms", default: 250, range: 10...10_000)
        lostAfterSeconds = try file.integer("lost_after", default: 600, range: 1...86_400)
        maintenanceIntervalMilliseconds = try file.integer("maintenance_interval_ms", default: 5_000, range: 100...3_600_000)
        mailPollMilliseconds = try file.integer("mail_poll_ms", default: 1_000, range: 50...600_000)
        mailDigest = MailDigestPolicy(threshold: try file.integer("mail_digest_after", default: 5, range: 2...100_000),
                                      windowSeconds: try file.integer("mail_digest_window", default: 600, range: 1...86_400))
        mailRetentionDays = try file.integer("mail_retention_days", default: 30, range: 1...3_650)
        invocationRetentionDays = try file.integer("invocation_retention_days", default: 90, range: 1...36_500)
        if let smtpURL, !(smtpURL.hasPrefix("smtp://") || smtpURL.hasPrefix("smtps://")) {
            throw ConfigurationFile.Problem(message: "smtp_url must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
        }
    }

    /// Installed copies live in /usr/share/calcflow; a build from the repository finds its own file.
    static var defaultOpenAPIFile: String {
        let installed = "/usr/share/calcflow/openapi.json"
        if FileManager.default.fileExists(atPath: installed) { return installed }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/openapi.json").path
    }
}
