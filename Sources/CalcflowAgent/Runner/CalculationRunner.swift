import CalcflowCore
import Crypto
import Foundation
import Logging
import JSON

/// Runs one claimed calculation: its steps in order, each prepared, executed, validated and
/// extracted, then cleaned up; every report goes through the spool.
final class CalculationRunner {
    let calculation: ClaimedCalculation
    let engine: any Engine
    let workspace: Workspace
    let executor: any Executor
    let spool: UpdateSpool
    let configuration: AgentConfiguration
    let logger: Logger
    /// The claim as the API gave it, kept in the folder so that a restarted agent can resume.
    let claimJSON: String
    private let counter: EventCounter
    private let cancelled: () -> Bool
    /// Updates held while `batch` runs, appended to the spool together at its end.
    private var held: [UpdateSpool.Update]?

    init(calculation: ClaimedCalculation, claimJSON: String, engine: any Engine, workspace: Workspace, executor: any Executor, spool: UpdateSpool,
         configuration: AgentConfiguration, cancelled: @escaping () -> Bool, logger: Logger) {
        self.calculation = calculation
        self.claimJSON = claimJSON
        self.engine = engine
        self.workspace = workspace
        self.executor = executor
        self.spool = spool
        self.configuration = configuration
        self.cancelled = cancelled
        self.logger = logger
        self.counter = EventCounter(folder: workspace.calculationFolder)
    }

    private var base: String { "/agent/calculations/\(calculation.id)" }

    func event(_ message: String, level: String = "INFO", state: CalculationState? = nil, reason: String? = nil, step: String? = nil,
               progress: (done: Int, total: Int)? = nil) {
        var body: [String: JSON] = ["seq": .integer(counter.next()), "level": .string(level), "message": .string(message)]
        if let state { body["state"] = .string(state.rawValue) }
        if let reason { body["reason"] = .string(String(reason.prefix(2_000))) }
        if let step { body["step"] = .string(step) }
        if let progress { body["progress"] = ["done": .integer(Int64(progress.done)), "total": .integer(Int64(progress.total))] }
        enqueue("POST", "\(base)/events", .object(body))
        var metadata: Logger.Metadata = ["calc": "\(calculation.id)", "message": "\(message)"]
        if let state { metadata["state"] = "\(state.rawValue)" }
        logger.info("calculation_event", metadata: metadata)
    }

    private func enqueue(_ method: String, _ path: String, _ body: JSON) {
        let update = UpdateSpool.Update(method: method, path: path, body: body)
        if held != nil { held?.append(update); return }
        append([update])
    }

    private func append(_ updates: [UpdateSpool.Update]) {
        do { try spool.append(contentsOf: updates) }
        catch { logger.info("spool_write_failed", metadata: ["calc": "\(calculation.id)", "error": "\(error)"]) }
    }

    /// What `body` reports reaches the spool in one append, in order, with one fsync.
    private func batch<Result>(_ body: () throws -> Result) rethrows -> Result {
        held = []
        defer {
            let updates = held ?? []
            held = nil
            append(updates)
        }
        return try body()
    }

    /// Runs (or, after a restart, resumes) every step in order. A step whose reports are already in
    /// the spool is skipped; one whose process still runs is waited for; nothing runs twice.
    func run() {
        let steps = calculation.steps
        let resuming = FileManager.default.fileExists(atPath: workspace.calculationFolder.appendingPathComponent(StepFiles.claim).path)
        if resuming {
            event("resumed by \(AgentConfiguration.version) after a restart")
        } else {
            try? SmallFile.write(claimJSON, to: workspace.calculationFolder.appendingPathComponent(StepFiles.claim))
            event("claimed by \(AgentConfiguration.version); \(steps.count) step(s) in \(workspace.calculationFolder.path)", progress: (0, steps.count))
        }
        for (index, step) in steps.enumerated() {
            if cancelled() { return finish(.cancelled, reason: "cancelled before step \(step.name)") }
            let verdict: Verdict
            do {
                verdict = try runStep(step, index: index, of: steps.count)
            } catch {
                return finish(.failed, reason: "step \(step.name): \(error)")
            }
            if cancelled() { return finish(.cancelled, reason: "cancelled during step \(step.name)") }
            guard verdict.isSuccess else {
                let skipped = steps.count - index - 1
                return finish(verdict.finalState, reason: "step \(step.name): \(verdict.reason ?? "")" + (skipped > 0 ? "; \(skipped) later step(s) not run" : ""))
            }
        }
        finish(.succeeded, reason: nil)
    }

    /// Drives the step's lifecycle: it decides, this executes. What the folder cannot tell a restarted
    /// agent (a restart under way, the verdict) is on disk before the next action is taken, so an
    /// agent stopped at any point goes on from there.
    private func runStep(_ step: StepPlan.Step, index: Int, of total: Int) throws -> Verdict {
        let folder = try workspace.stepFolder(step.name)
        // A non-converged step may go on from its own files, up to `max_restarts` times (the
        // calculation's configuration, or the agent's default).
        let allowed = Int(calculation.configuration["max_restarts"]?.integerValue ?? Int64(configuration.maxRestarts))
        var lifecycle = StepLifecycle(record: StepRecordFile.read(in: folder) ?? StepRecord(), allowedRestarts: allowed)
        var written = lifecycle.record
        var action = lifecycle.begin(StepFiles.trace(in: folder))
        var started = Date()
        while true {
            if case .restart = action {
                // The earlier run's markers go before the record says "restarting": a record that
                // says so never sits beside the exit code of the run before.
                for marker in StepFiles.startedMarkers { try? FileManager.default.removeItem(at: folder.appendingPathComponent(marker)) }
            }
            if lifecycle.record.saysMoreThanTheFolder && lifecycle.record != written {
                try StepRecordFile.write(lifecycle.record, in: folder)
                written = lifecycle.record
            }
            switch action {
            case .launch:
                started = Date()
                do { action = lifecycle.exited(try start(step, folder: folder, index: index, of: total)) }
                catch { action = lifecycle.launchFailed("\(error)") }
            case .reattach:
                if let code = executor.reattach(folder: folder, calculationID: calculation.id, cancelled: cancelled) {
                    action = lifecycle.exited(code)
                } else {
                    // Only about to be submitted when the agent stopped, and no job of its name: submitted now.
                    try? FileManager.default.removeItem(at: folder.appendingPathComponent(StepFiles.submitting))
                    action = lifecycle.vanished(StepFiles.trace(in: folder))
                }
            case .inspect(let exitCode):
                let verdict = report(step, folder: folder, exitCode: exitCode, started: started, index: index, of: total)
                let canRestart = !cancelled() && engine.restartCommand(calculation, step: step) != nil
                action = lifecycle.inspected(verdict, canRestart: canRestart)
            case .restart(let number):
                guard let command = engine.restartCommand(calculation, step: step), try engine.prepareRestart(folder: folder, workspace: workspace) else {
                    action = lifecycle.restartUnavailable()
                    continue
                }
                event("restart \(number) of \(allowed): step \(step.name) goes on from its own files", step: step.name)
                started = Date()
                action = lifecycle.exited(try executor.run(command, in: folder, calculationID: calculation.id) { event($0, step: step.name) })
            case .finish(let verdict):
                return verdict
            }
        }
    }

    private func start(_ step: StepPlan.Step, folder: URL, index: Int, of total: Int) throws -> Int32 {
        if let source = step.copyFrom {
            let copied = try workspace.copy(globs: step.copy.isEmpty ? engine.defaultCopies : step.copy,
                                            from: try workspace.stepFolder(source, create: false), to: folder)
            event("copied \(copied.isEmpty ? "nothing" : copied.joined(separator: ", ")) from step \(source)", step: step.name)
        }
        let command = try engine.prepare(calculation, step: step, folder: folder, workspace: workspace)
        event("step \(step.name) started: \(([command.executable] + command.arguments).joined(separator: " "))", step: step.name, progress: (index, total))
        return try executor.run(command, in: folder, calculationID: calculation.id) { event($0, step: step.name) }
    }

    private func report(_ step: StepPlan.Step, folder: URL, exitCode: Int32, started: Date, index: Int, of total: Int) -> Verdict {
        batch { reportAll(step, folder: folder, exitCode: exitCode, started: started, index: index, of: total) }
    }

    private func reportAll(_ step: StepPlan.Step, folder: URL, exitCode: Int32, started: Date, index: Int, of total: Int) -> Verdict {
        let inspection = engine.inspect(.ofStep(in: folder), exitCode: exitCode, step: step, configuration: calculation.configuration)
        let verdict = inspection.verdict
        for name in calculation.analyses {
            if let data = inspection.analyses[name] { enqueue("PUT", "\(base)/analyses/\(name)", ["step": .string(step.name), "data": data]) }
        }
        enqueue("PUT", "\(base)/analyses/provenance", ["step": .string(step.name),
                                                        "data": provenance(folder: folder, exitCode: exitCode, printedVersion: inspection.printedVersion)])
        let message = "step \(step.name) finished in \(String(format: "%.2f", Date().timeIntervalSince(started))) s, exit code \(exitCode): \(verdict.isSuccess ? "converged" : verdict.reason ?? "")"
        event(message, level: verdict.isSuccess ? "INFO" : "ERROR", step: step.name, progress: (index + 1, total))
        return verdict
    }

    /// What reproduces the step: the code and its version, each input's SHA-256, the agent, the executor.
    private func provenance(folder: URL, exitCode: Int32, printedVersion: String?) -> JSON {
        var inputs: [String: JSON] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where !name.hasPrefix("calcflow") && !name.hasSuffix(".txt") {
            let path = folder.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path), data.count < 64 << 20 else { continue }
            inputs[name] = .string(Hex.encode(SHA256.hash(Array(data))))
        }
        return ["engine": .string(engine.name), "code_version": .string(printedVersion ?? engine.version()), "agent": .string(AgentConfiguration.version),
                "executor": .string(configuration.executor), "exit_code": .integer(Int64(exitCode)), "files_sha256": .object(inputs),
                "cpu_seconds": JSON(CPUTimeFile.seconds(in: folder)),
                "job_id": JSON((try? String(contentsOf: folder.appendingPathComponent(StepFiles.jobID), encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines))]
    }

    private func finish(_ state: CalculationState, reason: String?) {
        batch { finishAll(state, reason: reason) }
        try? SmallFile.write("", to: workspace.calculationFolder.appendingPathComponent(StepFiles.done))
    }

    private func finishAll(_ state: CalculationState, reason: String?) {
        var message = state == .succeeded ? "all steps converged" : "ended \(state.rawValue)"
        // Raw outputs go only now: a later step may have needed them (a SIESTA .DM, QE's save folder).
        // What was freed is said in the final event, not one of its own: a campaign's calculations
        // each cost one event fewer to spool, send and store.
        if !(calculation.keepRaw || configuration.keepRaw) {
            var freed: Int64 = 0
            for step in calculation.steps {
                guard let folder = try? workspace.stepFolder(step.name, create: false) else { continue }
                freed += (try? workspace.clean(folder, patterns: engine.largeOutputs)) ?? 0
            }
            message += "; \(freed) bytes of raw output deleted (keep_raw keeps them)"
        }
        event(message, level: state == .succeeded ? "INFO" : "ERROR", state: state, reason: reason)
    }
}
