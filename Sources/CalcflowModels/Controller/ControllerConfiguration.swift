import CalcflowConfiguration
import Foundation

/// Everything `calcflow-models` reads from its config file (`deploy/models.conf.example`) and the
/// `CALCFLOW_<KEY>` environment overrides.
public struct ControllerConfiguration: Sendable {
    public var apiURL: String
    public var key: String
    public var certificateAuthorityFile: String?
    /// Docker's or podman's Docker-compatible socket.
    public var engineSocket: String
    public var pingIntervalSeconds: Double
    public var pingTimeoutSeconds: Int
    public var failuresBeforeUnhealthy: Int
    public var stopGraceSeconds: Int
    /// The default startup deadline; each model may set its own (60-3600 s).
    public var startupDeadlineSeconds: Int
    /// A cap on every model's startup deadline (impatient setups, tests); nil: none.
    public var maximumStartupDeadlineSeconds: Int?
    /// The first restart's backoff; it doubles up to 5 minutes.
    public var restartBackoffSeconds: Double
    /// The address published ports bind to.
    public var bindAddress: String
    /// This controller's name, on its containers' `calcflow.controller` label.
    public var name: String
    public static let version = "calcflow-models 0.1.0"

    public init(_ file: ConfigurationFile) throws(ConfigurationFile.Problem) {
        guard let url = file.string("api_url") else {
            throw ConfigurationFile.Problem(message: "api_url is required, e.g. https://calcflow.example.org")
        }
        apiURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard let key = try file.secret("key"), key.hasPrefix("mk_") else {
            throw ConfigurationFile.Problem(message: "key_file (or key) must hold a controller's mk_ key, issued by an admin (POST /api/v1/controller/keys)")
        }
        self.key = key
        certificateAuthorityFile = file.string("ca_file")
        engineSocket = file.string("engine_socket", default: "/run/docker.sock")
        pingIntervalSeconds = Double(try file.integer("ping_interval_ms", default: 5_000, range: 100...600_000)) / 1_000
        pingTimeoutSeconds = try file.integer("ping_timeout", default: 2, range: 1...60)
        failuresBeforeUnhealthy = try file.integer("failures_before_unhealthy", default: 3, range: 1...100)
        stopGraceSeconds = try file.integer("stop_grace", default: 30, range: 0...3_600)
        startupDeadlineSeconds = try file.integer("startup_deadline", default: 240, range: 1...3_600)
        maximumStartupDeadlineSeconds = file.string("max_startup_deadline") == nil ? nil
            : try file.integer("max_startup_deadline", default: 3_600, range: 1...3_600)
        restartBackoffSeconds = Double(try file.integer("restart_backoff_ms", default: 1_000, range: 10...300_000)) / 1_000
        bindAddress = file.string("bind_address", default: "127.0.0.1")
        name = file.string("name", default: ProcessInfo.processInfo.hostName)
    }
}
