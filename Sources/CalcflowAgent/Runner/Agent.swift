import CalcflowCore
import Foundation
import JSON
import Logging

/// The agent's loops: heartbeat, claim, and sending the spool. Calculations run on threads of their own.
public final class Agent: @unchecked Sendable {
    let configuration: AgentConfiguration
    let logger: Logger
    let engines: [String: any Engine]
    let executor: any Executor
    let spool: UpdateSpool
    private let lock = NSLock()
    private var running: Set<Int64> = []
    /// Every calculation this agent has, until the API has its end: running, or ended here with the
    /// end still in the spool. The heartbeat lists these, so the API knows a calculation it does not
    /// hear of is one no agent has.
    private var unfinished: Set<Int64> = []
    private var cancelRequested: Set<Int64> = []
    private var enabled = true
    private var clusterName = "cluster"
    /// Signalled when a calculation ends: its slot can take the next one at once.
    private let slotFreed = Wakeup()

    public init(configuration: AgentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.spool = try UpdateSpool(directory: configuration.spoolDirectory)
        executor = configuration.executor == "slurm"
            ? SlurmExecutor(partition: configuration.slurmPartition, account: configuration.slurmAccount,
                            extraOptions: configuration.slurmOptions, binDirectory: configuration.slurmBinDirectory)
            : LocalExecutor()
        let all: [any Engine] = [
            XTBEngine(executable: configuration.xtbPath),
            QuantumEspressoEngine(executable: configuration.pwPath, pseudoDirectory: configuration.qePseudoDirectory),
            SiestaEngine(executable: configuration.siestaPath, pseudoDirectory: configuration.siestaPseudoDirectory),
        ] + (configuration.allowCommand ? [CommandEngine(shell: configuration.shellPath)] : [])
        engines = Dictionary(uniqueKeysWithValues: all.filter(\.isAvailable).map { ($0.name, $0) })
    }

    var capabilities: JSON {
        ["engines": .array(engines.values.sorted { $0.name < $1.name }.map { engine in
            ["name": .string(engine.name), "version": .string(engine.version()),
             "analyses": .array(engine.analyses.map { ["name": .string($0.name), "requires": .array($0.requires.map(JSON.string)), "description": .string($0.description)] })]
        })]
    }

    /// Reaches the API and reports the capabilities: what `calcflow-agent check` does.
    public func check() throws -> String {
        let api = AgentAPI(configuration: configuration)
        _ = try api.send("PUT", "/agent/capabilities", capabilities)
        return "reached \(configuration.apiURL); engines: \(engines.keys.sorted().joined(separator: ", "))"
    }

    /// Runs until the process is stopped. Updates are on disk before they are sent, so a stop at any
    /// moment loses nothing.
    public func run() -> Never {
        try? FileManager.default.createDirectory(atPath: configuration.workRoot, withIntermediateDirectories: true)
        logger.info("agent_started", metadata: ["api": "\(configuration.apiURL)", "engines": "\(engines.keys.sorted().joined(separator: ","))"])
        if geteuid() == 0 {
            logger.warning("running_as_root", metadata: [
                "advice": "run the agent as an unprivileged user: every calculation runs with its rights\(configuration.allowCommand ? ", and allow_command lets command calculations run any script as root" : "")",
            ])
        }
        let capabilitiesAPI = AgentAPI(configuration: configuration)
        while (try? capabilitiesAPI.send("PUT", "/agent/capabilities", capabilities)) == nil {
            logger.info("api_unreachable", metadata: ["action": "capabilities", "retry_in": "5s"])
            Thread.sleep(forTimeInterval: 5)
        }
        resumeUnfinished()
        // Ended before a restart, the end not yet sent: still this agent's until the API has it.
        for (update, _, _) in spool.pending() {
            if let id = Self.endedCalculation(update) { lock.withLock { _ = unfinished.insert(id) } }
        }
        Thread.detachNewThread { [self] in heartbeatLoop() }
        Thread.detachNewThread { [self] in spoolLoop() }
        claimLoop()
    }

    /// Calculations an earlier agent claimed and did not finish: they go on, they do not start over.
    private func resumeUnfinished() {
        let root = URL(fileURLWithPath: configuration.workRoot)
        for cluster in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] where !cluster.hasPrefix(".") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(cluster).path)) ?? [] {
                let folder = root.appendingPathComponent(cluster).appendingPathComponent(name)
                guard !FileManager.default.fileExists(atPath: folder.appendingPathComponent(StepFiles.done).path),
                      let data = FileManager.default.contents(atPath: folder.appendingPathComponent(StepFiles.claim).path),
                      let json = try? JSON.parse(Array(data)) else { continue }
                logger.info("resume", metadata: ["calc": "\(json["id"]?.integerValue ?? 0)", "folder": "\(folder.path)"])
                clusterName = cluster
                start(json)
            }
        }
    }

    private func heartbeatLoop() {
        let api = AgentAPI(configuration: configuration)
        let sampler = SystemSampler(diskPath: configuration.workRoot)
        while true {
            let sample = sampler.sample()
            let ids = lock.withLock { Array(unfinished).sorted() }
            do {
                let (_, answer) = try api.send("POST", "/agent/heartbeat", [
                    "cpu_percent": .number(sample.cpuPercent), "load_1m": .number(sample.load1m),
                    "memory_used_bytes": .integer(sample.memoryUsedBytes), "memory_total_bytes": .integer(sample.memoryTotalBytes),
                    "disk_free_bytes": .integer(sample.diskFreeBytes), "disk_total_bytes": .integer(sample.diskTotalBytes),
                    "running": .array(ids.map(JSON.integer)), "agent_version": .string(AgentConfiguration.version),
                ])
                lock.withLock { enabled = answer["enabled"]?.boolValue ?? true }
                for id in (answer["cancel"]?.arrayValue ?? []).compactMap(\.integerValue) {
                    let isNew = lock.withLock { running.contains(id) && cancelRequested.insert(id).inserted }
                    if isNew {
                        logger.info("cancel", metadata: ["calc": "\(id)"])
                        executor.cancel(calculationID: id)
                    }
                }
            } catch {
                logger.info("heartbeat_failed", metadata: ["error": "\(error)"])
            }
            Thread.sleep(forTimeInterval: Double(configuration.heartbeatSeconds))
        }
    }

    /// The calculation whose end `update` reports, if it does.
    static func endedCalculation(_ update: UpdateSpool.Update) -> Int64? {
        guard update.path.hasSuffix("/events"), let state = update.body["state"]?.stringValue.flatMap(CalculationState.init(rawValue:)),
              state.isFinished else { return nil }
        return update.path.split(separator: "/").dropFirst(2).first.flatMap { Int64($0) }
    }

    /// How long the sender lets updates gather after the first: far below what anyone watching a
    /// calculation notices.
    static let gatheringSeconds = 0.01

    private func spoolLoop() {
        var sender = SpoolSender(spool: spool, api: AgentAPI(configuration: configuration), logger: logger) { [self] update in
            if let id = Self.endedCalculation(update) { lock.withLock { _ = unfinished.remove(id) } }
        }
        while true {
            // Woken by the next append, and sending what queued meanwhile in the same round; after
            // a failure, not before half a second.
            if sender.sendPending() {
                spool.appended.wait(seconds: 0.5)
                // Calculations that end together append within milliseconds of each other: one batch
                // for them, not one request each.
                Thread.sleep(forTimeInterval: Self.gatheringSeconds)
            } else {
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    private func claimLoop() -> Never {
        let api = AgentAPI(configuration: configuration)
        // Kept until an answer arrives: a claim whose answer was lost is sent again as the same
        // claim, and gets the calculations it took instead of leaving them running with no one.
        var claimID = UUID().uuidString
        while true {
            let (free, isEnabled) = lock.withLock { (configuration.maxParallel - running.count, enabled) }
            if free > 0 && isEnabled {
                let asked = Date()
                let claimed = claim(api, wanted: free, id: claimID)
                if claimed != nil { claimID = UUID().uuidString }
                if let claimed, !claimed.isEmpty {
                    claimed.forEach(start)
                    continue
                }
                // The API held the claim for its wait and found nothing: ask again at once. An answer
                // that came sooner with nothing (an API that does not wait, a failure) waits for the interval.
                let waitedInTheAPI = configuration.claimWaitSeconds > 0 && Date().timeIntervalSince(asked) >= Double(configuration.claimWaitSeconds) / 2
                if claimed != nil && waitedInTheAPI { continue }
            }
            // All slots busy, or nothing to claim: the next try comes when a calculation ends, or
            // after the claim interval.
            slotFreed.wait(seconds: Double(configuration.claimSeconds))
        }
    }

    /// Up to `wanted` calculations, waiting in the API up to `claim_wait` seconds for the first.
    /// Nil when the claim failed.
    private func claim(_ api: AgentAPI, wanted: Int, id: String) -> [JSON]? {
        do {
            let (status, json) = try api.send("POST", "/agent/claim", ["max": .integer(Int64(wanted)), "claim_id": .string(id),
                                                                       "wait_seconds": .integer(Int64(configuration.claimWaitSeconds))])
            guard status == 200 else { return status == 204 ? [] : nil }
            // An API from before several-at-once claims answers with one calculation.
            let claimed = json["calculations"]?.arrayValue ?? (json["id"] != nil ? [json] : [])
            guard claimed.allSatisfy({ $0["id"]?.integerValue != nil }) else {
                logger.info("claim_unreadable", metadata: ["status": "\(status)", "body": "\(json.serializedString().prefix(200))"])
                return nil
            }
            return claimed
        } catch {
            logger.info("claim_failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func start(_ json: JSON) {
        let id = json["id"]?.integerValue ?? 0
        clusterName = json["cluster"]?.stringValue ?? clusterName
        lock.withLock { _ = running.insert(id); _ = unfinished.insert(id) }
        let cluster = clusterName
        Thread.detachNewThread { [self] in
            defer {
                lock.withLock { _ = running.remove(id); _ = cancelRequested.remove(id) }
                slotFreed.signal()
            }
            do {
                let calculation = try ClaimedCalculation(json)
                let workspace = try Workspace(root: configuration.workRoot, cluster: cluster, calculation: calculation)
                guard let engine = engines[calculation.engine] else {
                    let runner = CalculationRunner(calculation: calculation, claimJSON: json.serializedString(), engine: CommandEngine(shell: configuration.shellPath), workspace: workspace,
                                                   executor: executor, spool: spool, configuration: configuration, cancelled: { false }, logger: logger)
                    let reason = calculation.engine == "command" && !configuration.allowCommand
                        ? "this cluster's agent does not run command calculations (allow_command = false in its config)"
                        : "engine \(calculation.engine) is not installed on this cluster's agent"
                    runner.event("this cluster has no \(calculation.engine) engine", level: "ERROR", state: .failed, reason: reason)
                    return
                }
                logger.info("run", metadata: ["calc": "\(id)", "engine": "\(engine.name)", "folder": "\(workspace.calculationFolder.path)"])
                let runner = CalculationRunner(calculation: calculation, claimJSON: json.serializedString(), engine: engine, workspace: workspace, executor: executor, spool: spool,
                                               configuration: configuration, cancelled: { [self] in lock.withLock { cancelRequested.contains(id) } }, logger: logger)
                runner.run()
            } catch {
                logger.info("run_failed", metadata: ["calc": "\(id)", "error": "\(error)"])
                // No workspace to count events in: a folder of its own keeps the numbering.
                let folder = URL(fileURLWithPath: configuration.spoolDirectory).appendingPathComponent("unstarted-\(id)")
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try? spool.append(UpdateSpool.Update(method: "POST", path: "/agent/calculations/\(id)/events", body: [
                    "seq": .integer(EventCounter(folder: folder).next()), "level": "ERROR", "message": .string("the agent could not start it: \(error)"),
                    "state": "failed", "reason": .string("\(error)"),
                ]))
            }
        }
    }

    /// `calcflow-agent inspect`: the verdict and analyses of an output folder, as JSON.
    public static func inspect(engine name: String, folder: String, configuration: AgentConfiguration?) throws -> JSON {
        let engines: [any Engine] = [
            XTBEngine(executable: configuration?.xtbPath ?? "/usr/bin/xtb"),
            QuantumEspressoEngine(executable: configuration?.pwPath ?? "/usr/bin/pw.x", pseudoDirectory: configuration?.qePseudoDirectory ?? ""),
            SiestaEngine(executable: "siesta", pseudoDirectory: ""),
            CommandEngine(shell: "/bin/sh"),
        ]
        guard let engine = engines.first(where: { $0.name == name }) else {
            throw EngineError(message: "unknown engine \(name); known: \(engines.map(\.name).joined(separator: ", "))")
        }
        // A file is read as given; a folder, by its step's own output (or the file chosen, and why).
        let output = try StepOutput.chosen(at: folder, suffix: engine.outputSuffix)
        // The exit code the agent recorded beside the step's own output; an output copied in has none.
        let recorded = output.file.lastPathComponent == "stdout.txt"
            ? (try? String(contentsOf: output.folder.appendingPathComponent(StepFiles.exitCode), encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            : nil
        let exitCode = recorded ?? 0
        let inspection = engine.inspect(output, exitCode: exitCode, step: nil, configuration: .object([:]))
        let verdict = inspection.verdict
        return ["engine": .string(name), "folder": .string(output.folder.path), "output": .string(output.file.path), "chosen_because": JSON(output.choice),
                "exit_code": JSON(recorded.map(Int64.init)), "verdict": .string(verdict.name), "reason": JSON(verdict.reason),
                "analyses": .object(inspection.analyses), "code_version": JSON(inspection.printedVersion)]
    }
}
