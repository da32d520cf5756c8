import CalcflowConfiguration
import Foundation

/// Everything `calcflow-agent` reads from its config file and `CALCFLOW_AGENT_*`-free environment
/// overrides (`CALCFLOW_<KEY>`, as for the API).
public struct AgentConfiguration: Sendable {
    public var apiURL: String
    public var key: String
    public var certificateAuthorityFile: String?
    public var workRoot: String
    public var spoolDirectory: String
    public var executor: String
    public var slurmPartition: String?
    public var slurmAccount: String?
    /// More `#SBATCH` lines, e.g. `--time=02:00:00 --mem=4G`.
    public var slurmOptions: [String]
    public var slurmBinDirectory: String
    public var heartbeatSeconds: Int
    public var claimSeconds: Int
    /// How long the API may hold a claim while there is no work: new work starts at once, and an
    /// idle agent asks once per wait instead of once per interval. 0: never wait.
    public var claimWaitSeconds: Int
    public var maxParallel: Int
    public var keepRaw: Bool
    /// How many times a non-converged step goes on from its own files, unless the calculation says.
    public var maxRestarts: Int
    public var xtbPath: String
    public var pwPath: String
    public var qePseudoDirectory: String
    public var siestaPath: String
    public var siestaPseudoDirectory: String
    public var shellPath: String
    /// Whether the `command` engine is offered: it runs any shell script as the agent's user.
    public var allowCommand: Bool
    public static let version = "calcflow-agent 0.1.0"

    public init(_ file: ConfigurationFile) throws(ConfigurationFile.Problem) {
        guard let url = file.string("api_url") else {
            throw ConfigurationFile.Problem(message: "api_url is required, e.g. https://calcflow.example.org")
        }
        apiURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        guard let key = try file.secret("key"), key.hasPrefix("ck_") else {
            throw ConfigurationFile.Problem(message: "key_file (or key) must hold the cluster's ck_ key, issued by an admin in Clusters")
        }
        self.key = key
        certificateAuthorityFile = file.string("ca_file")
        workRoot = file.string("work_root", default: "/var/lib/calcflow/work")
        spoolDirectory = file.string("spool_dir", default: workRoot + "/.spool")
        executor = file.string("executor", default: "local")
        guard executor == "local" || executor == "slurm" else {
            throw ConfigurationFile.Problem(message: "executor must be local or slurm, not '\(executor)'")
        }
        slurmPartition = file.string("slurm_partition")
        slurmAccount = file.string("slurm_account")
        slurmOptions = file.string("slurm_options").map { $0.split(separator: " ").map(String.init) } ?? []
        slurmBinDirectory = file.string("slurm_bin_dir", default: "/usr/bin")
        if executor == "slurm" && !FileManager.default.isExecutableFile(atPath: slurmBinDirectory + "/sbatch") {
            throw ConfigurationFile.Problem(message: "executor is slurm but \(slurmBinDirectory)/sbatch is not there; set slurm_bin_dir")
        }
        heartbeatSeconds = try file.integer("heartbeat_interval", default: 30, range: 1...3_600)
        claimSeconds = try file.integer("claim_interval", default: 5, range: 1...3_600)
        claimWaitSeconds = try file.integer("claim_wait", default: 20, range: 0...25)
        maxParallel = try file.integer("max_parallel", default: 1, range: 1...256)
        keepRaw = file.string("keep_raw", default: "false") == "true"
        maxRestarts = try file.integer("max_restarts", default: 0, range: 0...100)
        xtbPath = file.string("xtb", default: "/usr/bin/xtb")
        pwPath = file.string("pw", default: "/usr/bin/pw.x")
        qePseudoDirectory = file.string("qe_pseudo_dir", default: "/usr/share/espresso/pseudo")
        siestaPath = file.string("siesta", default: "/usr/local/bin/siesta")
        siestaPseudoDirectory = file.string("siesta_pseudo_dir", default: "/usr/share/calcflow/pseudo/siesta")
        shellPath = file.string("shell", default: "/bin/sh")
        let allow = file.string("allow_command", default: "false")
        guard allow == "true" || allow == "false" else {
            throw ConfigurationFile.Problem(message: "allow_command must be true or false, not '\(allow)'")
        }
        allowCommand = allow == "true"
    }
}
