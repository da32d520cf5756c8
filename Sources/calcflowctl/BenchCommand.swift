import ArgumentParser
import CalcflowCore
import Foundation
import HTTPClient
import JSON

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure a running Calcflow.", subcommands: [Lifecycle.self, Campaign.self])

    struct Lifecycle: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive whole calculation lifecycles in parallel and print lifecycles per second.",
            discussion: "Each lifecycle: create (user JWT) → claim (agent key) → 3 events → 1 analysis → succeeded. Use a cluster of its own: the driver claims whatever is queued there.")

        @Option(help: "The base URL, e.g. https://127.0.0.1:8443") var url: String
        @Option(help: "A user's access token (creates the calculations).") var token: String
        @Option(help: "The cluster's ck_ key (claims and reports).") var key: String
        @Option(help: "The cluster's id.") var clusterID: Int
        @Option(help: "Certificate to trust (PEM).") var caCertificate: String?
        @Option(help: "Lifecycles to run in all.") var count: Int = 2_000
        @Option(help: "Lifecycles in flight at once (threads).") var concurrency: Int = 32

        func run() throws {
            let started = Date()
            let outcome = BenchOutcome()
            let group = DispatchGroup()
            let perThread = (count + concurrency - 1) / concurrency
            for thread in 0..<concurrency {
                let share = min(perThread, count - thread * perThread)
                guard share > 0 else { continue }
                group.enter()
                let settings = (url, token, key, clusterID, caCertificate)
                Thread.detachNewThread {
                    defer { group.leave() }
                    let driver = LifecycleDriver(url: settings.0, token: settings.1, key: settings.2, clusterID: settings.3, certificate: settings.4)
                    for _ in 0..<share {
                        let begin = Date()
                        do {
                            try driver.runOnce()
                            outcome.record(seconds: Date().timeIntervalSince(begin))
                        } catch {
                            outcome.fail("\(error)")
                        }
                    }
                }
            }
            group.wait()
            let elapsed = Date().timeIntervalSince(started)
            let durations = outcome.durations.sorted()
            let p50 = durations.isEmpty ? 0 : durations[durations.count / 2] * 1_000
            let p99 = durations.isEmpty ? 0 : durations[min(durations.count - 1, durations.count * 99 / 100)] * 1_000
            print(String(format: "lifecycles=%d failed=%d seconds=%.2f lifecycles_per_second=%.0f requests_per_second=%.0f p50_ms=%.1f p99_ms=%.1f",
                         durations.count, outcome.failures.count, elapsed, Double(durations.count) / elapsed,
                         Double(durations.count * 7) / elapsed, p50, p99))
            if let first = outcome.failures.first { print("first failure: \(first)") }
            if !outcome.failures.isEmpty { throw ExitCode(1) }
        }
    }
}

extension BenchCommand {
    struct Campaign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a screening campaign end to end through a real agent and print calculations per second.",
            discussion: """
                Creates trivial command calculations (echo $((i + 3)) > result.txt, analysis exit_status), or xtb \
                single points of water, on a cluster that a real agent serves, then pages through the list until every \
                one is final. The time runs from the first create to the last final state.
                """)

        @Option(help: "The base URL, e.g. https://127.0.0.1:8443") var url: String
        @Option(help: "An admin's or moderator's access token (their command calculations need no approval).") var token: String
        @Option(help: "The cluster's id: its agent must allow command calculations.") var clusterID: Int
        @Option(help: "Certificate to trust (PEM).") var caCertificate: String?
        @Option(help: "Calculations in all.") var count: Int = 1_000
        @Option(help: "Threads creating them.") var creators: Int = 4
        @Option(help: "Give up after this many seconds.") var timeout: Double = 600
        @Option(help: "What each calculation runs: 'echo' (a trivial command) or 'xtb-water' (an xtb single point of water).")
        var workload: String = "echo"

        /// The body of calculation `index` of the campaign.
        static func body(index: Int, clusterID: Int, workload: String) -> JSON {
            if workload == "xtb-water" {
                return ["name": .string("campaign water \(index)"), "cluster_id": .integer(Int64(clusterID)), "engine": "xtb",
                        "analyses": ["scf", "total_energy"],
                        "configuration": ["task": "sp", "structure": ["format": "xyz", "text": "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"]]]
            }
            return ["name": .string("campaign \(index)"), "cluster_id": .integer(Int64(clusterID)), "engine": "command",
                    "analyses": ["exit_status"], "configuration": ["script": .string("echo $((\(index) + 3)) > result.txt\n")]]
        }

        func validate() throws {
            guard ["echo", "xtb-water"].contains(workload) else { throw ValidationError("--workload must be echo or xtb-water, not \(workload)") }
        }

        func run() throws {
            let started = Date()
            let created = Ledger<Int64>()
            let failures = Ledger<String>()
            let group = DispatchGroup()
            let settings = (url, token, clusterID, caCertificate, count, creators, workload)
            for creator in 0..<creators {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let driver = LifecycleDriver(url: settings.0, token: settings.1, key: "", clusterID: settings.2, certificate: settings.3)
                    for index in stride(from: creator, to: settings.4, by: settings.5) {
                        do {
                            let response = try driver.send("POST", "/api/v1/calculations", Self.body(index: index, clusterID: settings.2, workload: settings.6),
                                                           credential: settings.1, expect: 201)
                            if let id = (try? JSON.parse(response.body))?["id"]?.integerValue { created.record(id) }
                        } catch {
                            failures.record("\(error)")
                        }
                    }
                }
            }
            group.wait()
            let createdSeconds = Date().timeIntervalSince(started)
            let ids = Set(created.all)
            guard let oldest = ids.min(), failures.all.isEmpty else {
                print("created=\(ids.count) failed=\(failures.all.count)\nfirst failure: \(failures.all.first ?? "none created")")
                throw ExitCode(1)
            }
            // Pages through the cluster's list of calculations not yet final (queued, running, waiting for
            // approval), newest first, until none of the campaign's is left: each round reads only what is
            // still to come, not every calculation again. Then one pass over the whole list counts the end states.
            let reader = LifecycleDriver(url: url, token: token, key: "", clusterID: clusterID, certificate: caCertificate)
            func tally(_ filter: String?) throws -> [String: Int] {
                var states: [String: Int] = [:]
                var cursor: String?
                while true {
                    let path = "/api/v1/calculations?cluster_id=\(clusterID)&order=newest&limit=500" + (filter.map { "&state=\($0)" } ?? "")
                        + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try JSON.parse(reader.send("GET", path, nil, credential: token, expect: 200).body)
                    for item in page["items"]?.arrayValue ?? [] {
                        guard let id = item["id"]?.integerValue else { continue }
                        if id < oldest { return states }
                        if ids.contains(id), let state = item["state"]?.stringValue { states[state, default: 0] += 1 }
                    }
                    guard let next = page["next_cursor"]?.stringValue else { return states }
                    cursor = next
                }
            }
            var states: [String: Int] = [:]
            while true {
                var unfinished = 0
                for state in CalculationState.allCases where !state.isFinished { unfinished += try tally(state.rawValue).values.reduce(0, +) }
                // A calculation sent back to the queue between two reads shows in this whole pass.
                if unfinished == 0 {
                    states = try tally(nil)
                    let final = CalculationState.allCases.filter(\.isFinished).reduce(0) { $0 + (states[$1.rawValue] ?? 0) }
                    if final == ids.count { break }
                }
                if Date().timeIntervalSince(started) > timeout {
                    print("timed out after \(Int(timeout)) s: \(ids.count - unfinished) of \(ids.count) final; states \(try tally(nil))")
                    throw ExitCode(1)
                }
                // Often enough that the wait adds little to a campaign of a second or two.
                Thread.sleep(forTimeInterval: 0.05)
            }
            let elapsed = Date().timeIntervalSince(started)
            print(String(format: "calculations=%d seconds=%.2f calculations_per_second=%.1f created_in=%.2f succeeded=%d other=%@",
                         ids.count, elapsed, Double(ids.count) / elapsed, createdSeconds, states["succeeded"] ?? 0,
                         states.filter { $0.key != "succeeded" }.description))
            if (states["succeeded"] ?? 0) != ids.count { throw ExitCode(1) }
        }
    }
}

/// What the driver's threads recorded.
final class Ledger<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var elements: [Element] = []
    func record(_ element: Element) { lock.lock(); elements.append(element); lock.unlock() }
    var all: [Element] { lock.lock(); defer { lock.unlock() }; return elements }
}

/// One thread's client: keeps its connections alive across lifecycles.
final class LifecycleDriver {
    let client = HTTPClient()
    let url: String
    let token: String
    let key: String
    let clusterID: Int
    let certificate: String?

    init(url: String, token: String, key: String, clusterID: Int, certificate: String?) {
        self.url = url
        self.token = token
        self.key = key
        self.clusterID = clusterID
        self.certificate = certificate
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    func send(_ method: String, _ path: String, _ body: JSON?, credential: String, expect: Int) throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Authorization", "Bearer \(credential)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try client.execute(HTTPRequest(method: method, url: url + path, headers: headers, body: body?.serialized() ?? (method == "POST" ? [] : nil),
                                                      certificateAuthorityFile: certificate))
        guard response.status == expect else { throw Failure(description: "\(method) \(path): \(response.status) \(response.text.prefix(200))") }
        return response
    }

    func runOnce() throws {
        let input = "&CONTROL\n calculation='scf'\n/\n&SYSTEM\n ibrav=2, celldm(1)=10.2, nat=2, ntyp=1, ecutwfc=18.0\n/\n&ELECTRONS\n/\n"
        try send("POST", "/api/v1/calculations", [
            "name": "bench", "cluster_id": .integer(Int64(clusterID)), "engine": "qe", "analyses": ["scf", "total_energy"],
            "configuration": ["input": .string(input), "pseudopotentials": ["Si.pz-vbc.UPF"]],
        ], credential: token, expect: 201)
        let claimed = try send("POST", "/api/v1/agent/claim", nil, credential: key, expect: 200)
        guard let id = (try? JSON.parse(claimed.body))?["id"]?.integerValue else { throw Failure(description: "claim without an id") }
        for seq in 1...3 {
            try send("POST", "/api/v1/agent/calculations/\(id)/events",
                     ["seq": .integer(Int64(seq)), "level": "INFO", "message": "step \(seq)", "progress": ["done": .integer(Int64(seq)), "total": 3]],
                     credential: key, expect: 204)
        }
        try send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy", ["data": ["value": -215.5, "unit": "eV"]], credential: key, expect: 204)
        try send("POST", "/api/v1/agent/calculations/\(id)/events", ["seq": 4, "state": "succeeded", "level": "INFO", "message": "done"],
                 credential: key, expect: 204)
    }
}

final class BenchOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var durations: [Double] = []
    private(set) var failures: [String] = []
    func record(seconds: Double) { lock.lock(); durations.append(seconds); lock.unlock() }
    func fail(_ message: String) { lock.lock(); failures.append(message); lock.unlock() }
}
