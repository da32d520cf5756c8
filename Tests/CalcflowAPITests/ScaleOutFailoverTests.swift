import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Past one machine, with hosts dying under load: `make scale-demo`'s three Galera nodes, two API
/// hosts, front nginx and two agents. While the agents run 300 calculations and a heartbeat flood
/// goes through the front, one Galera node is killed -9 and comes back by IST, then one API host is
/// killed -9 and comes back. Nothing may be lost or done twice: every calculation succeeds, claimed
/// and run once, every event stored once, every mail sent once; the dashboard signs in throughout.
final class ScaleOutFailoverTests: XCTestCase {
    static let calculations = 300

    func testAGaleraNodeAndAnAPIHostKilledUnderLoadLoseNothingAndDoubleNothing() throws {
        guard getuid() == 0 else { throw XCTSkip("the scale demo makes network namespaces: it needs root (CI has it)") }
        // lost_after short enough that a claim left running with no agent would be settled (and seen
        // below) within the test, long enough that no live run is mistaken for one.
        let demo = try ScaleDemo(agentParallelism: 4, lostAfterSeconds: 20)
        defer { demo.stop() }
        let client = demo.makeClient()
        let admin = try client.login(demo.adminEmail, demo.adminPassword).token
        XCTAssertEqual(try client.patch("/api/v1/me", ["email_level": "INFO"], token: admin).status, 200, "a mail for every finished calculation")
        let clusters = try client.get("/api/v1/clusters", token: admin).json["items"]?.arrayValue ?? []
        let clusterIDs = try ["scale-1", "scale-2"].map { (name: String) in
            try XCTUnwrap(clusters.first { $0["name"]?.stringValue == name }?["id"]?.integerValue, "make scale-demo's cluster \(name)")
        }
        let flood = try floodKey(client, admin: admin)

        let ids = try create(Self.calculations, on: clusterIDs, through: demo, token: admin)
        XCTAssertEqual(ids.count, Self.calculations)

        let heartbeats = Ledger<Heartbeat>()
        let stopping = Flag()
        let floodThreads = DispatchGroup()
        let (front, certificate) = (demo.frontURL, demo.certificate)
        for _ in 0..<4 {
            floodThreads.enter()
            Thread.detachNewThread {
                defer { floodThreads.leave() }
                let client = APIClient(baseURL: front, certificate: certificate)
                while !stopping.isSet {
                    let started = Date()
                    let status = (try? client.post("/api/v1/agent/heartbeat", Self.heartbeatBody, token: flood).status) ?? 0
                    heartbeats.record(Heartbeat(started: started, seconds: Date().timeIntervalSince(started), status: status))
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
        }
        Thread.sleep(forTimeInterval: 3)

        // 1. A Galera node, killed as a power cut would, then brought back.
        let databaseKill = Date()
        try demo.host("kill", "db2")
        let signInDuringDatabaseOutage = try signIn(client, demo)
        Thread.sleep(forTimeInterval: 4)
        let rejoin = try demo.host("start", "db2")
        XCTAssertTrue(rejoin.contains("db2 rejoined by IST"), "the writes it missed, not a full copy: \(rejoin)")
        let clusterSize = try demo.query("SHOW STATUS LIKE 'wsrep_cluster_size'", node: 2).first?.last
        XCTAssertEqual(clusterSize, "3", "db2 is back in a cluster of three")

        // 2. An API host, killed the same way, then brought back.
        Thread.sleep(forTimeInterval: 2)
        let hostKill = Date()
        try demo.host("kill", "api2")
        let signInDuringHostOutage = try signIn(client, demo)
        Thread.sleep(forTimeInterval: 4)
        try demo.host("start", "api2")

        let states = try waitUntilFinal(ids, client: client, token: admin, seconds: 240)
        stopping.set()
        floodThreads.wait()

        XCTAssertEqual(states.filter { $0.value != "succeeded" }, [:], "every calculation succeeded")

        // Each taken by one agent, once: an agent logs `run` for each calculation it starts.
        var runs: [Int64: Int] = [:]
        for agent in ["agent1", "agent2"] {
            for id in Self.matches(of: #"event=run .*\bcalc=([0-9]+)"#, in: demo.log(agent)) { runs[id, default: 0] += 1 }
        }
        XCTAssertEqual(runs.filter { ids.contains($0.key) && $0.value != 1 }, [:], "no calculation run twice")
        XCTAssertEqual(Set(runs.keys).intersection(ids).count, ids.count, "every calculation run by an agent")
        let apiLogs = demo.log("api1") + demo.log("api2")
        XCTAssertFalse(apiLogs.contains("event=claims_requeued"), "no claim's answer was lost for good (its claim_id brought it back)")
        XCTAssertFalse(apiLogs.contains("event=runs_lost"), "no run was declared lost")

        // Every event stored once, none missing: an agent numbers a calculation's events 1, 2, 3...
        let events = try demo.query("""
            SELECT calculation_id, COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM calculation_events
            WHERE calculation_id BETWEEN \(ids.min()!) AND \(ids.max()!) GROUP BY calculation_id
            """)
        XCTAssertEqual(events.count, ids.count, "events for every calculation")
        for row in events where !(row[1] == row[2] && row[2] == row[3]) {
            XCTFail("calculation \(row[0]): \(row[1]) events, \(row[2]) distinct numbers, the last \(row[3])")
        }

        // Every mail once, through the SMTP sink: one per calculation to its creator (the admin), alone or in a digest.
        try Deadline.wait(for: "a mail for every calculation", seconds: 90, interval: 0.5) {
            Set(Self.mailedCalculations(demo.receivedMails())).isSuperset(of: ids)
        }
        Thread.sleep(forTimeInterval: 3)
        var mails: [Int64: Int] = [:]
        for id in Self.mailedCalculations(demo.receivedMails()) where ids.contains(id) { mails[id, default: 0] += 1 }
        XCTAssertEqual(mails.filter { $0.value != 1 }, [:], "each mail sent once")

        // No request an agent made was lost: the flood's heartbeats all answered.
        let all = heartbeats.all
        let failed = all.filter { $0.status != 200 }
        XCTAssertEqual(failed.count, 0, "heartbeats that failed: \(failed.prefix(5))")
        XCTAssertEqual(signInDuringDatabaseOutage.status, 200)
        XCTAssertEqual(signInDuringHostOutage.status, 200)

        let databaseStall = Self.stall(after: databaseKill, in: all)
        let hostStall = Self.stall(after: hostKill, in: all)
        print(String(format: "scale-out failover: %d calculations, %d heartbeats (%d failed); Galera node db2 killed: longest heartbeat %.2f s, sign-in %.2f s; API host api2 killed: longest heartbeat %.2f s, sign-in %.2f s",
                     ids.count, all.count, failed.count, databaseStall, signInDuringDatabaseOutage.seconds, hostStall, signInDuringHostOutage.seconds))
    }

    // MARK: What the test drives

    struct Heartbeat: Sendable {
        var started: Date
        var seconds: Double
        var status: Int
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    static let heartbeatBody: JSON = [
        "cpu_percent": 3.5, "load_1m": 0.2, "memory_used_bytes": 1_000_000, "memory_total_bytes": 8_000_000,
        "disk_free_bytes": 50_000_000, "disk_total_bytes": 100_000_000, "running": [], "agent_version": "flood-1",
    ]

    /// A third cluster whose key only heartbeats: the steady load of a department's other clusters.
    func floodKey(_ client: APIClient, admin: String) throws -> String {
        let cluster = try client.post("/api/v1/clusters", ["name": "flood", "description": "heartbeat flood", "requires_approval": false], token: admin)
        XCTAssertEqual(cluster.status, 201, cluster.description)
        let key = try client.post("/api/v1/clusters/\(try XCTUnwrap(cluster.json["id"]?.integerValue))/keys", ["label": "flood"], token: admin)
        return try XCTUnwrap(key.json["key"]?.stringValue, key.description)
    }

    /// Trivial command calculations, alternately on the two clusters; each runs about a second, so that
    /// the agents are busy through both kills.
    func create(_ count: Int, on clusters: [Int64], through demo: ScaleDemo, token: String) throws -> Set<Int64> {
        let created = Ledger<Int64>()
        let failures = Ledger<String>()
        let group = DispatchGroup()
        let (front, certificate) = (demo.frontURL, demo.certificate)
        for creator in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let client = APIClient(baseURL: front, certificate: certificate)
                for index in stride(from: creator, to: count, by: 4) {
                    let body: JSON = ["name": .string("failover \(index)"), "cluster_id": .integer(clusters[index % clusters.count]), "engine": "command",
                                      "analyses": ["exit_status"], "configuration": ["script": .string("sleep 1; echo $((\(index) + 3)) > result.txt\n")]]
                    do {
                        let response = try client.post("/api/v1/calculations", body, token: token)
                        if response.status == 201, let id = response.json["id"]?.integerValue { created.record(id) } else { failures.record(response.description) }
                    } catch {
                        failures.record("\(error)")
                    }
                }
            }
        }
        group.wait()
        XCTAssertEqual(failures.all, [])
        return Set(created.all)
    }

    /// Signs in through the front, as the dashboard does, and loads the dashboard's page.
    func signIn(_ client: APIClient, _ demo: ScaleDemo) throws -> (status: Int, seconds: Double) {
        let started = Date()
        let response = try client.post("/api/v1/auth/login", ["email": .string(demo.adminEmail), "password": .string(demo.adminPassword)])
        let page = try client.get("/")
        XCTAssertEqual(page.status, 200, "the dashboard's page")
        return (response.status, Date().timeIntervalSince(started))
    }

    /// Pages through every calculation until all of `ids` are final; their states.
    func waitUntilFinal(_ ids: Set<Int64>, client: APIClient, token: String, seconds: Double) throws -> [Int64: String] {
        var states: [Int64: String] = [:]
        try Deadline.wait(for: "all \(ids.count) calculations to be final", seconds: seconds, interval: 1) {
            states = [:]
            var cursor: String?
            repeat {
                let page = try client.get("/api/v1/calculations?order=newest&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token).json
                for item in page["items"]?.arrayValue ?? [] {
                    if let id = item["id"]?.integerValue, ids.contains(id) { states[id] = item["state"]?.stringValue }
                }
                cursor = page["next_cursor"]?.stringValue
            } while cursor != nil
            return states.count == ids.count && states.values.allSatisfy { ["succeeded", "failed", "not_converged", "cancelled"].contains($0) }
        }
        return states
    }

    /// The longest a heartbeat sent in the 20 seconds after a kill took: the stall its clients saw.
    static func stall(after kill: Date, in heartbeats: [Heartbeat]) -> Double {
        heartbeats.filter { $0.started >= kill.addingTimeInterval(-1) && $0.started < kill.addingTimeInterval(20) }.map(\.seconds).max() ?? 0
    }

    /// The calculation of each mail, read from its subject's "(#id)".
    /// The calculations each mail is about: one named in a single mail's subject, or each listed in a
    /// digest (once, in its plain-text part).
    static func mailedCalculations(_ mails: [String]) -> [Int64] {
        mails.flatMap { mail -> [Int64] in
            guard let subject = mail.split(separator: "\n").first(where: { $0.hasPrefix("Subject:") }) else { return [] }
            if let single = matches(of: #"\(#([0-9]+)\)"#, in: String(subject)).first { return [single] }
            let text = SMTPSink.decodedBodies(mail).components(separatedBy: "<!doctype").first ?? ""
            return matches(of: #"\(#([0-9]+)\)"#, in: text)
        }
    }

    static func matches(of pattern: String, in text: String) -> [Int64] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).flatMap { Int64(text[$0]) }
        }
    }
}
