/// One model container's lifecycle as a value: the controller feeds it what it observes (the desired
/// state, pings, the container exiting, the clock) and executes the action each event returns. Nothing
/// else decides a model's state.
///
/// - A model that never answers `/ping` within its startup deadline ends `failed`, and so does one that
///   crash-loops: `crashLoopRestarts` restarts within `crashLoopWindowSeconds`. Restarts back off from
///   `initialBackoffSeconds`, doubling up to `maximumBackoffSeconds`.
/// - A healthy model becomes `unhealthy` after `pingFailuresBeforeUnhealthy` failed pings in a row, and is
///   restarted.
/// - A container adopted after the controller's own restart starts its deadline from when the container
///   started. Past it, it is judged as a healthy one is, and restarted after failed pings, never failed
///   outright: it may have answered for hours, and an engine may list a container whose processes are
///   gone (podman does, after its service and conmon were killed).
/// - A failed model stays failed while it is desired running: only a person's new start (`startedAgain`)
///   begins afresh, the restart count reset.
public struct ModelLifecycle: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        public var startupDeadlineSeconds: Double = 240
        public var pingFailuresBeforeUnhealthy = 3
        public var crashLoopRestarts = 5
        public var crashLoopWindowSeconds: Double = 600
        public var initialBackoffSeconds: Double = 1
        public var maximumBackoffSeconds: Double = 300

        public init() {}
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Create the container (unless one is there) and start it.
        case start
        /// Remove the container now; `tick` starts a new one once the backoff has passed.
        case removeForRestart(backoffSeconds: Double)
        /// SIGTERM, then SIGKILL after the grace period; then remove it.
        case stop
        /// Keep the container's last log lines for the message, then stop and remove it.
        case fail
    }

    public let policy: Policy
    public private(set) var state: ModelState = .stopped
    /// Why it is unhealthy, restarting or failed, for people.
    public private(set) var message: String?
    /// Restarts since it was last started by a person.
    public private(set) var restarts = 0
    public private(set) var consecutivePingFailures = 0
    /// When the current container started (the startup deadline runs from here), and when the next
    /// start is due after a restart's backoff.
    public private(set) var startedAt: Double?
    public private(set) var nextStartAt: Double?
    private var recentRestarts: [Double] = []
    /// The container was found running when the controller started and has not answered it yet.
    public private(set) var adoptedUnconfirmed = false

    public init(policy: Policy = Policy(), state: ModelState = .stopped) {
        self.policy = policy
        self.state = state
    }

    /// The desired state, as the API says it now.
    public mutating func desired(_ desired: DesiredModelState, now: Double) -> Action {
        switch (desired, state) {
        case (.running, .stopped):
            return beginAfresh(now: now)
        case (.running, _):
            return .none
        case (.stopped, .stopped):
            return .none
        case (.stopped, _):
            let wasFailed = state == .failed
            state = .stopped
            adoptedUnconfirmed = false
            message = nil
            startedAt = nil
            nextStartAt = nil
            // A failed model's container is gone already.
            return wasFailed ? .none : .stop
        }
    }

    /// A person asked for it to start again (a new start generation): a failed model begins afresh.
    public mutating func startedAgain(now: Double) -> Action {
        guard state == .failed else { return .none }
        return beginAfresh(now: now)
    }

    private mutating func beginAfresh(now: Double) -> Action {
        state = .starting
        message = nil
        restarts = 0
        recentRestarts = []
        consecutivePingFailures = 0
        startedAt = now
        nextStartAt = nil
        adoptedUnconfirmed = false
        return .start
    }

    /// A container the controller found already running for this model (after its own restart), which
    /// the engine says started at `containerStartedAt` (nil when it does not say).
    public mutating func adopted(running: Bool, containerStartedAt: Double? = nil, now: Double) -> Action {
        guard state == .stopped else { return .none }
        state = .starting
        startedAt = min(now, containerStartedAt ?? now)
        adoptedUnconfirmed = running
        return running ? .none : .start
    }

    /// An adopted container whose startup deadline, counted from its own start, has passed.
    private func adoptedPastDeadline(now: Double) -> Bool {
        guard adoptedUnconfirmed, let startedAt else { return false }
        return now - startedAt > policy.startupDeadlineSeconds
    }

    public mutating func pingSucceeded(now: Double) -> Action {
        switch state {
        case .starting, .healthy, .unhealthy:
            state = .healthy
            message = nil
            consecutivePingFailures = 0
            adoptedUnconfirmed = false
        default:
            break
        }
        return .none
    }

    public mutating func pingFailed(_ reason: String, now: Double) -> Action {
        switch state {
        case .starting where adoptedPastDeadline(now: now):
            consecutivePingFailures += 1
            guard consecutivePingFailures >= policy.pingFailuresBeforeUnhealthy else { return .none }
            state = .unhealthy
            message = "it was running when the controller started, but \(consecutivePingFailures) pings in a row failed: \(reason)"
            return restart(because: message!, now: now)
        case .starting:
            // Slow loaders are given their whole deadline: failed pings before it are expected.
            return tick(now: now)
        case .healthy, .unhealthy:
            consecutivePingFailures += 1
            guard consecutivePingFailures >= policy.pingFailuresBeforeUnhealthy else { return .none }
            state = .unhealthy
            message = "\(consecutivePingFailures) pings in a row failed: \(reason)"
            return restart(because: message!, now: now)
        default:
            return .none
        }
    }

    /// The container stopped by itself.
    public mutating func containerExited(code: Int64?, now: Double) -> Action {
        switch state {
        case .starting, .healthy, .unhealthy:
            let reason = "the container exited" + (code.map { " with code \($0)" } ?? "")
            return restart(because: reason, now: now)
        default:
            return .none
        }
    }

    /// The container could not be created or started (the image is missing, the engine refused).
    public mutating func startFailed(_ reason: String) -> Action {
        guard state == .starting || state == .restarting else { return .none }
        state = .failed
        message = reason
        return .fail
    }

    /// The clock: the startup deadline, and a restart's backoff ending.
    public mutating func tick(now: Double) -> Action {
        switch state {
        case .starting where adoptedPastDeadline(now: now):
            // Failed pings restart it (pingFailed); a container that answered once is not failed by the clock.
            return .none
        case .starting:
            if let startedAt, now - startedAt > policy.startupDeadlineSeconds {
                state = .failed
                message = "it did not answer GET /ping within its startup deadline of \(Int(policy.startupDeadlineSeconds)) s"
                return .fail
            }
            return .none
        case .restarting:
            guard let nextStartAt, now >= nextStartAt else { return .none }
            state = .starting
            startedAt = now
            self.nextStartAt = nil
            consecutivePingFailures = 0
            return .start
        default:
            return .none
        }
    }

    /// Restart with backoff, or fail when it crash-loops.
    private mutating func restart(because reason: String, now: Double) -> Action {
        recentRestarts = recentRestarts.filter { now - $0 < policy.crashLoopWindowSeconds }
        if recentRestarts.count >= policy.crashLoopRestarts {
            state = .failed
            message = "it crash-loops: \(recentRestarts.count) restarts within \(Int(policy.crashLoopWindowSeconds / 60)) minutes; the last: \(reason)"
            return .fail
        }
        var backoff = policy.initialBackoffSeconds
        for _ in 0..<recentRestarts.count { backoff = min(policy.maximumBackoffSeconds, backoff * 2) }
        recentRestarts.append(now)
        restarts += 1
        state = .restarting
        message = "restart \(restarts) in \(Self.seconds(backoff)): \(reason)"
        consecutivePingFailures = 0
        startedAt = nil
        adoptedUnconfirmed = false
        nextStartAt = now + backoff
        return .removeForRestart(backoffSeconds: backoff)
    }

    /// A failed model's message with the container's last log lines, for people to see why.
    public mutating func recordLogs(_ lines: [String]) {
        guard state == .failed, !lines.isEmpty, let message else { return }
        self.message = message + "\nlast \(lines.count) log line\(lines.count == 1 ? "" : "s") of the container:\n" + lines.joined(separator: "\n")
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
