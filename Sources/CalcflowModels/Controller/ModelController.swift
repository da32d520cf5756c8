import CalcflowCore
import Foundation
import HTTPClient
import JSON
import Logging

/// `calcflow-models`' loop: every ping interval it reads the desired state from the API, feeds each
/// model's `ModelLifecycle` what it observes of its container (exited, pinged), executes the actions it
/// returns on the engine, and reports back. Containers carry the labels `calcflow.model-id` and
/// `calcflow.controller`, so a restarted controller adopts them instead of starting duplicates.
public final class ModelController: @unchecked Sendable {
    public static let modelLabel = "calcflow.model-id"
    public static let controllerLabel = "calcflow.controller"
    static let generationLabel = "calcflow.start-generation"

    let configuration: ControllerConfiguration
    let logger: Logger
    let engine: ContainerEngine
    private let api: ControllerAPI
    private let pinger = HTTPClient()

    /// What the controller knows of one model between rounds.
    struct Supervised {
        var lifecycle: ModelLifecycle
        var generation: Int64
        var desired: JSON
        var containerID: String?
        var endpoint: String?
        var tty = false
        var lastPingOK = false
        var logsSince: Int64 = 0
        /// The image the container runs, by digest (its id on the engine): invocations record it.
        var imageDigest: String?
    }

    private(set) var models: [Int64: Supervised] = [:]
    private var adopted = false

    public init(configuration: ControllerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.engine = ContainerEngine(socketPath: configuration.engineSocket)
        self.api = ControllerAPI(configuration: configuration)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Reaches the engine and the API: what `calcflow-models check` does.
    public func check() throws -> String {
        try engine.negotiate()
        _ = try api.send("GET", "/controller/models")
        return "reached \(configuration.apiURL) and the \(engine.isPodman ? "podman" : "Docker") engine at \(configuration.engineSocket) (API \(engine.apiVersion))"
    }

    public func run() -> Never {
        while true {
            do {
                try engine.negotiate()
                break
            } catch {
                logger.warning("engine_unreachable", metadata: ["socket": "\(configuration.engineSocket)", "error": "\(error)", "retry_in": "5s"])
                Thread.sleep(forTimeInterval: 5)
            }
        }
        logger.info("controller_started", metadata: ["engine": "\(engine.isPodman ? "podman" : "docker")", "api_version": "\(engine.apiVersion)",
                                                    "socket": "\(configuration.engineSocket)", "api": "\(configuration.apiURL)"])
        while true {
            let started = Self.now()
            round(now: started)
            let spent = Self.now() - started
            Thread.sleep(forTimeInterval: max(0.05, configuration.pingIntervalSeconds - spent))
        }
    }

    /// One reconciliation: desired state, observations, actions, report.
    func round(now: Double) {
        let desired: [JSON]
        do {
            desired = try api.send("GET", "/controller/models")["items"]?.arrayValue ?? []
        } catch {
            logger.warning("api_unreachable", metadata: ["action": "desired_state", "error": "\(error)"])
            return
        }
        if !adopted {
            adopt(desired, now: now)
            adopted = true
        }
        var seen: Set<Int64> = []
        for model in desired {
            guard let id = model["id"]?.integerValue else { continue }
            seen.insert(id)
            reconcile(id: id, model, now: now)
        }
        for id in models.keys where !seen.contains(id) {
            // Deleted: its container goes.
            if let container = models[id]?.containerID { removeInBackground(container, graceful: true) }
            models[id] = nil
            logger.info("model_forgotten", metadata: ["model": "\(id)"])
        }
        forwardLogs()
        report()
    }

    func policy(for model: JSON) -> ModelLifecycle.Policy {
        var policy = ModelLifecycle.Policy()
        var deadline = Int(model["startup_timeout_seconds"]?.integerValue ?? Int64(configuration.startupDeadlineSeconds))
        if let cap = configuration.maximumStartupDeadlineSeconds { deadline = min(deadline, cap) }
        policy.startupDeadlineSeconds = Double(deadline)
        policy.pingFailuresBeforeUnhealthy = configuration.failuresBeforeUnhealthy
        policy.initialBackoffSeconds = configuration.restartBackoffSeconds
        return policy
    }

    /// After a restart of the controller: its labelled containers are adopted, the extra ones removed.
    func adopt(_ desired: [JSON], now: Double) {
        let found: [ContainerEngine.ContainerSummary]
        do { found = try engine.containers(label: Self.modelLabel) } catch {
            logger.warning("adoption_failed", metadata: ["error": "\(error)"])
            return
        }
        let wanted = Dictionary(uniqueKeysWithValues: desired.compactMap { model in model["id"]?.integerValue.map { ($0, model) } })
        for container in found.sorted(by: { $0.created > $1.created }) {
            guard let id = container.labels[Self.modelLabel].flatMap(Int64.init), let model = wanted[id],
                  model["desired_state"]?.stringValue == "running", models[id] == nil, container.running else {
                // A model that is gone or stopped, a duplicate, or a dead one: it goes.
                removeInBackground(container.id, graceful: false)
                continue
            }
            var supervised = Supervised(lifecycle: ModelLifecycle(policy: policy(for: model)),
                                        generation: model["start_generation"]?.integerValue ?? 0, desired: model, containerID: container.id)
            let inspected = try? engine.inspect(container.id)
            if let inspected {
                supervised.endpoint = endpoint(of: inspected, port: model["port"]?.integerValue ?? 8080)
                supervised.tty = inspected["Config"]?["Tty"]?.boolValue ?? false
                supervised.imageDigest = inspected["Image"]?.stringValue
            }
            // Without an endpoint it cannot be pinged: it is replaced. Its deadline runs from its own start.
            let action = supervised.lifecycle.adopted(running: supervised.endpoint != nil,
                                                      containerStartedAt: inspected.flatMap(ContainerEngine.startedAt), now: now)
            execute(action, on: &supervised, id: id)
            supervised.logsSince = Int64(now)
            models[id] = supervised
            logger.info("container_adopted", metadata: ["model": "\(id)", "container": "\(container.id.prefix(12))"])
        }
    }

    func reconcile(id: Int64, _ model: JSON, now: Double) {
        let generation = model["start_generation"]?.integerValue ?? 0
        var supervised = models[id] ?? Supervised(lifecycle: ModelLifecycle(policy: policy(for: model)), generation: generation, desired: model)
        supervised.desired = model
        let desiredState = DesiredModelState(rawValue: model["desired_state"]?.stringValue ?? "stopped") ?? .stopped
        // A new start from a person begins afresh, even from failed.
        if generation != supervised.generation {
            supervised.generation = generation
            if desiredState == .running { execute(supervised.lifecycle.startedAgain(now: now), on: &supervised, id: id) }
        }
        execute(supervised.lifecycle.desired(desiredState, now: now), on: &supervised, id: id)
        observe(&supervised, id: id, now: now)
        execute(supervised.lifecycle.tick(now: now), on: &supervised, id: id)
        models[id] = supervised
    }

    /// Whether the container still runs, and whether it answers `/ping`.
    func observe(_ supervised: inout Supervised, id: Int64, now: Double) {
        guard [.starting, .healthy, .unhealthy].contains(supervised.lifecycle.state), let container = supervised.containerID else { return }
        if let inspected = try? engine.inspect(container), inspected["State"]?["Running"]?.boolValue == false {
            let code = inspected["State"]?["ExitCode"]?.integerValue
            captureLogs(&supervised, container)
            execute(supervised.lifecycle.containerExited(code: code, now: now), on: &supervised, id: id)
            return
        }
        guard let endpoint = supervised.endpoint else { return }
        let request = HTTPRequest(method: "GET", url: endpoint + "/ping", timeoutSeconds: configuration.pingTimeoutSeconds)
        do {
            let response = try pinger.execute(request)
            if response.status == 200 {
                supervised.lastPingOK = true
                execute(supervised.lifecycle.pingSucceeded(now: now), on: &supervised, id: id)
            } else {
                supervised.lastPingOK = false
                execute(supervised.lifecycle.pingFailed("GET /ping answered \(response.status)", now: now), on: &supervised, id: id)
            }
        } catch {
            supervised.lastPingOK = false
            execute(supervised.lifecycle.pingFailed("GET /ping: \(error)", now: now), on: &supervised, id: id)
        }
    }

    func execute(_ action: ModelLifecycle.Action, on supervised: inout Supervised, id: Int64) {
        switch action {
        case .none:
            return
        case .start:
            do {
                try startContainer(&supervised, id: id)
            } catch {
                let reason = (error as? ContainerEngineError)?.message ?? "\(error)"
                execute(supervised.lifecycle.startFailed(reason), on: &supervised, id: id)
            }
        case .removeForRestart(let backoff):
            logger.warning("model_restarting", metadata: ["model": "\(id)", "backoff_s": "\(backoff)", "reason": "\(supervised.lifecycle.message ?? "")"])
            if let container = supervised.containerID { try? engine.remove(container) }
            supervised.containerID = nil
            supervised.endpoint = nil
        case .stop:
            if let container = supervised.containerID { removeInBackground(container, graceful: true) }
            supervised.containerID = nil
            supervised.endpoint = nil
            logger.info("model_stopped", metadata: ["model": "\(id)"])
        case .fail:
            if let container = supervised.containerID {
                captureLogs(&supervised, container)
                try? engine.remove(container)
            }
            supervised.containerID = nil
            supervised.endpoint = nil
            logger.error("model_failed", metadata: ["model": "\(id)", "reason": "\(supervised.lifecycle.message ?? "")"])
        }
    }

    /// The container's last 50 log lines go into a failed model's message.
    func captureLogs(_ supervised: inout Supervised, _ container: String) {
        guard let lines = try? engine.logs(container, tty: supervised.tty, count: 50) else { return }
        supervised.lifecycle.recordLogs(lines)
    }

    func specification(_ model: JSON, id: Int64, generation: Int64) -> JSON {
        let port = model["port"]?.integerValue ?? 8080
        var environment = (model["environment"]?.objectValue ?? [:]).compactMap { key, value in value.stringValue.map { "\(key)=\($0)" } }.sorted()
        environment.append("SAGEMAKER_BIND_TO_PORT=\(port)")
        var host: [String: JSON] = [
            "PortBindings": ["\(port)/tcp": [["HostIp": .string(configuration.bindAddress), "HostPort": ""]]],
            "Init": true, "RestartPolicy": ["Name": "no"],
        ]
        if let memory = model["memory_limit_bytes"]?.integerValue { host["Memory"] = .integer(memory) }
        if let folder = model["model_data"]?.stringValue { host["Binds"] = [.string("\(folder):/opt/ml/model:ro")] }
        return [
            "Image": .string(model["image"]?.stringValue ?? ""), "Cmd": ["serve"], "Env": .array(environment.map(JSON.string)),
            "Labels": [.init(stringLiteral: Self.modelLabel): .string(String(id)), .init(stringLiteral: Self.controllerLabel): .string(configuration.name),
                       .init(stringLiteral: Self.generationLabel): .string(String(generation))],
            "ExposedPorts": ["\(port)/tcp": [:]], "HostConfig": .object(host),
        ]
    }

    func startContainer(_ supervised: inout Supervised, id: Int64) throws {
        let model = supervised.desired
        let image = model["image"]?.stringValue ?? ""
        guard try engine.imageExists(image) else {
            throw ContainerEngineError(.imageNotFound, "image not found on the engine: \(image) (images are never pulled; build or load it on the engine's machine)")
        }
        // Whatever is left of an earlier container of this model goes first.
        for stale in (try? engine.containers(label: "\(Self.modelLabel)=\(id)")) ?? [] { try? engine.remove(stale.id) }
        let name = "calcflow-model-\(id)"
        let container = try engine.create(name: name, specification(model, id: id, generation: supervised.generation))
        supervised.containerID = container
        try engine.start(container)
        let inspected = try engine.inspect(container)
        supervised.tty = inspected["Config"]?["Tty"]?.boolValue ?? false
        supervised.imageDigest = inspected["Image"]?.stringValue
        if let wanted = model["memory_limit_bytes"]?.integerValue, inspected["HostConfig"]?["Memory"]?.integerValue != wanted {
            throw ContainerEngineError(.engineFailed(status: 0), "the engine ignored the memory limit of \(wanted) bytes; the model was not started")
        }
        supervised.endpoint = endpoint(of: inspected, port: model["port"]?.integerValue ?? 8080)
        supervised.logsSince = Int64(Self.now()) - 1
        logger.info("container_started", metadata: ["model": "\(id)", "container": "\(container.prefix(12))", "endpoint": "\(supervised.endpoint ?? "")"])
    }

    /// `http://<bind address>:<host port>` from the published port, read back from the engine.
    func endpoint(of inspected: JSON, port: Int64) -> String? {
        guard let binding = inspected["NetworkSettings"]?["Ports"]?["\(port)/tcp"]?.arrayValue?.first,
              let hostPort = binding["HostPort"]?.stringValue, !hostPort.isEmpty else { return nil }
        let address = binding["HostIp"]?.stringValue.flatMap { $0.isEmpty || $0 == "0.0.0.0" ? nil : $0 } ?? configuration.bindAddress
        return "http://\(address):\(hostPort)"
    }

    /// Stopping waits for the grace period: it happens off the loop, so pings of other models go on.
    func removeInBackground(_ container: String, graceful: Bool) {
        let engine = self.engine
        let grace = configuration.stopGraceSeconds
        let logger = self.logger
        Thread.detachNewThread {
            if graceful { try? engine.stop(container, graceSeconds: grace) }
            do { try engine.remove(container) } catch {
                logger.warning("container_remove_failed", metadata: ["container": "\(container.prefix(12))", "error": "\(error)"])
            }
        }
    }

    /// New container log lines go to the API, with their model as the source.
    func forwardLogs() {
        var entries: [JSON] = []
        let stamp = Date().formatted(.iso8601)
        for (id, supervised) in models {
            guard let container = supervised.containerID else { continue }
            let now = Int64(Self.now())
            guard let lines = try? engine.logs(container, tty: supervised.tty, since: supervised.logsSince) else { continue }
            models[id]?.logsSince = now
            for line in lines.suffix(500) where !line.isEmpty {
                entries.append(["ts": .string(stamp), "level": "INFO", "message": .string(line), "model_id": .integer(id)])
            }
        }
        guard !entries.isEmpty else { return }
        do { _ = try api.send("POST", "/controller/logs", ["entries": .array(entries)]) } catch {
            logger.warning("api_unreachable", metadata: ["action": "logs", "error": "\(error)"])
        }
    }

    func report() {
        let items: [JSON] = models.sorted { $0.key < $1.key }.map { id, supervised in
            [
                "id": .integer(id), "state": .string(supervised.lifecycle.state.rawValue), "container_id": JSON(supervised.containerID),
                "endpoint": JSON(supervised.endpoint), "last_ping_ok": .bool(supervised.lastPingOK),
                "restarts": .integer(Int64(supervised.lifecycle.restarts)), "message": JSON(supervised.lifecycle.message),
                "image_digest": JSON(supervised.imageDigest),
            ]
        }
        do { _ = try api.send("POST", "/controller/heartbeat", ["models": .array(items)]) } catch {
            logger.warning("api_unreachable", metadata: ["action": "heartbeat", "error": "\(error)"])
        }
    }
}
