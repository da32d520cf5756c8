import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Claims of several calculations at once, and claims that wait in the API for work, as agents with
/// free slots make them: `{"max": N, "wait_seconds": S}`.
final class ClaimBatchTests: StackTestCase {
    /// Fewer request threads than waiting agents, as make run on two cores has (four).
    /// Twelve stream threads: ten for streams and waiting claims together, three of them for claims.
    override class var settings: [String: String] { ["threads": "4", "stream_threads": "12", "streams_per_user": "16", "stream_poll_ms": "100"] }

    private static func claimed(_ response: TestResponse) -> [Int64] {
        response.json["calculations"]?.arrayValue?.compactMap { $0["id"]?.integerValue } ?? []
    }

    func testTwelveClaimersAskingForFiveEachTakeSixtyCalculationsEachOnceBestFirst() throws {
        let cluster = try makeCluster()
        var created: Set<Int64> = []
        for index in 0..<60 {
            created.insert(try XCTUnwrap(try createCalculation(cluster: cluster, name: "batch \(index)", priority: Int64(index % 5))["id"]?.integerValue))
        }
        let claims = Ledger<[Int64]>()
        let group = DispatchGroup()
        let (baseURL, certificate, key) = (stack.baseURL, stack.certificate, cluster.key)
        for _ in 0..<12 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let client = APIClient(baseURL: baseURL, certificate: certificate)
                while let response = try? client.post("/api/v1/agent/claim", ["max": 5], token: key), response.status == 200 {
                    claims.record(Self.claimed(response))
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let batches = claims.all
        XCTAssertTrue(batches.allSatisfy { (1...5).contains($0.count) }, "\(batches.map(\.count))")
        XCTAssertEqual(batches.flatMap { $0 }.count, 60, "60 claimed in all")
        XCTAssertEqual(Set(batches.flatMap { $0 }), created, "each calculation claimed, none twice")

        // Within one answer, the best come first.
        let ordered = try makeCluster()
        let low = try XCTUnwrap(createCalculation(cluster: ordered, name: "low", priority: -3)["id"]?.integerValue)
        let high = try XCTUnwrap(createCalculation(cluster: ordered, name: "high", priority: 9)["id"]?.integerValue)
        let middle = try XCTUnwrap(createCalculation(cluster: ordered, name: "middle")["id"]?.integerValue)
        let all = try client.post("/api/v1/agent/claim", ["max": 10], token: ordered.key)
        XCTAssertEqual(Self.claimed(all), [high, middle, low])
        XCTAssertEqual(all.json["calculations"]?.arrayValue?.first?["state"], "running")
        XCTAssertEqual(try client.post("/api/v1/agent/claim", ["max": 10], token: ordered.key).status, 204)
    }

    func testABatchStaysWithinMaxRunning() throws {
        let cluster = try makeCluster(maxRunning: 3)
        for index in 0..<8 { _ = try createCalculation(cluster: cluster, name: "throttled \(index)") }
        let first = try client.post("/api/v1/agent/claim", ["max": 10], token: cluster.key)
        XCTAssertEqual(Self.claimed(first).count, 3, "three may run")
        XCTAssertEqual(try client.post("/api/v1/agent/claim", ["max": 10], token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: Self.claimed(first)[0], seq: 1, state: "succeeded").status, 204)
        XCTAssertEqual(Self.claimed(try client.post("/api/v1/agent/claim", ["max": 10], token: cluster.key)).count, 1, "one ended, one more")
    }

    func testAWaitingClaimGetsANewCalculationAtOnce() throws {
        let cluster = try makeCluster()
        let answer = Ledger<(status: Int, ids: [Int64], at: Date)>()
        let (baseURL, certificate, key) = (stack.baseURL, stack.certificate, cluster.key)
        let done = expectation(description: "the claim answered")
        Thread.detachNewThread {
            let client = APIClient(baseURL: baseURL, certificate: certificate)
            if let response = try? client.post("/api/v1/agent/claim", ["max": 4, "wait_seconds": 20], token: key) {
                answer.record((response.status, Self.claimed(response), Date()))
            }
            done.fulfill()
        }
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(answer.all.isEmpty, "nothing to claim yet: it waits")
        let createdAt = Date()
        let id = try XCTUnwrap(createCalculation(cluster: cluster, name: "awaited")["id"]?.integerValue)
        wait(for: [done], timeout: 20)
        let got = try XCTUnwrap(answer.all.first)
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.ids, [id])
        XCTAssertLessThan(got.at.timeIntervalSince(createdAt), 1.0, "woken by the creation, not by its next look")
    }

    /// Waiting claims hold stream threads, not request threads: with four request threads, the
    /// agents of three clusters all wait in the API and are each woken by their own cluster's work,
    /// while ordinary requests are answered meanwhile.
    func testTheAgentsOfThreeClustersAllWaitWhileRequestsAreAnswered() throws {
        let clusters = try (0..<3).map { _ in try makeCluster() }
        let answers = Ledger<(cluster: Int, status: Int, ids: [Int64], at: Date)>()
        let group = DispatchGroup()
        let (baseURL, certificate) = (stack.baseURL, stack.certificate)
        for (index, cluster) in clusters.enumerated() {
            group.enter()
            let key = cluster.key
            Thread.detachNewThread {
                defer { group.leave() }
                let client = APIClient(baseURL: baseURL, certificate: certificate)
                if let response = try? client.post("/api/v1/agent/claim", ["max": 2, "wait_seconds": 20], token: key) {
                    answers.record((index, response.status, Self.claimed(response), Date()))
                }
            }
        }
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(answers.all.isEmpty, "all three wait: \(answers.all.map { ($0.cluster, $0.status) })")
        let token = try adminToken()
        let asked = Date()
        for _ in 0..<20 { XCTAssertEqual(try client.get("/api/v1/me", token: token).status, 200) }
        XCTAssertLessThan(Date().timeIntervalSince(asked), 2, "the request threads answer while the claims wait")
        var created: [Int: (id: Int64, at: Date)] = [:]
        for (index, cluster) in clusters.enumerated() {
            created[index] = (try XCTUnwrap(createCalculation(cluster: cluster, name: "for agent \(index)")["id"]?.integerValue), Date())
        }
        XCTAssertEqual(group.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(answers.all.count, 3)
        for answer in answers.all {
            let mine = try XCTUnwrap(created[answer.cluster])
            XCTAssertEqual(answer.status, 200, "cluster \(answer.cluster)")
            XCTAssertEqual(answer.ids, [mine.id], "each agent gets its own cluster's calculation")
            XCTAssertLessThan(answer.at.timeIntervalSince(mine.at), 1.0, "woken by the creation, not by a later look")
        }
    }

    /// Streams and waiting claims share the stream threads: with three claims waiting, the eighth
    /// stream is refused at once instead of waiting for a thread, and opens once the claims are answered.
    func testWaitingClaimsCountAgainstTheLiveStreams() throws {
        let clusters = try (0..<3).map { _ in try makeCluster() }
        let answered = DispatchGroup()
        let (baseURL, certificate) = (stack.baseURL, stack.certificate)
        for cluster in clusters {
            answered.enter()
            let key = cluster.key
            Thread.detachNewThread {
                defer { answered.leave() }
                _ = try? APIClient(baseURL: baseURL, certificate: certificate).post("/api/v1/agent/claim", ["max": 1, "wait_seconds": 20], token: key)
            }
        }
        Thread.sleep(forTimeInterval: 1.5)
        let token = try adminToken()
        var streams: [Process] = []
        defer { streams.forEach { $0.terminate() } }
        for index in 0..<7 { streams.append(try openStream(token: token, output: stack.directory + "/beside-claims-\(index).txt")) }
        let asked = Date()
        let refused = try client.get("/api/v1/logs/stream", token: token)
        XCTAssertEqual(refused.status, 503, "seven streams and three claims fill the ten places")
        XCTAssertLessThan(Date().timeIntervalSince(asked), 2, "refused at once, not after a claim's wait")
        for cluster in clusters { _ = try createCalculation(cluster: cluster, name: "frees a thread") }
        XCTAssertEqual(answered.wait(timeout: .now() + 20), .success)
        streams.append(try openStream(token: token, output: stack.directory + "/beside-claims-7.txt"))
    }

    func testAWaitingClaimIsWokenByAnApprovalAndEndsEmptyAfterItsWait() throws {
        let cluster = try makeCluster(requiresApproval: true)
        let user = try createUser(role: "user")
        let pending = try XCTUnwrap(createCalculation(cluster: cluster, token: user.token, name: "needs a look")["id"]?.integerValue)
        let started = Date()
        let empty = try client.post("/api/v1/agent/claim", ["max": 2, "wait_seconds": 2], token: cluster.key)
        XCTAssertEqual(empty.status, 204, "a pending calculation is not claimable")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.9, "it waited its two seconds")

        let answer = Ledger<[Int64]>()
        let done = expectation(description: "the claim answered")
        let (baseURL, certificate, key) = (stack.baseURL, stack.certificate, cluster.key)
        Thread.detachNewThread {
            let client = APIClient(baseURL: baseURL, certificate: certificate)
            if let response = try? client.post("/api/v1/agent/claim", ["max": 2, "wait_seconds": 20], token: key) { answer.record(Self.claimed(response)) }
            done.fulfill()
        }
        Thread.sleep(forTimeInterval: 1)
        let approvedAt = Date()
        XCTAssertEqual(try client.post("/api/v1/calculations/\(pending)/approve", token: createUser(role: "moderator").token).status, 200)
        wait(for: [done], timeout: 20)
        XCTAssertEqual(answer.all, [[pending]])
        XCTAssertLessThan(Date().timeIntervalSince(approvedAt), 1.5)
    }

    /// An agent stopped while its claim waited (make run restarting it) must not be given the next
    /// calculation: it would stay running with no one to run it.
    func testAClaimWhoseAgentHungUpClaimsNothing() throws {
        let cluster = try makeCluster()
        XCTAssertThrowsError(try client.send("POST", "/api/v1/agent/claim", body: (["max": 2, "wait_seconds": 20] as JSON).serialized(),
                                             token: cluster.key, timeoutSeconds: 1), "the agent gives up after a second")
        Thread.sleep(forTimeInterval: 0.5)
        let id = try XCTUnwrap(createCalculation(cluster: cluster, name: "for a live agent")["id"]?.integerValue)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "queued", "not handed to the agent that left")
        XCTAssertEqual(Self.claimed(try client.post("/api/v1/agent/claim", ["max": 2], token: cluster.key)), [id], "the next agent gets it")
    }

    /// The answer to a claim can be lost after the claim committed (an API host killed, a dropped
    /// connection): the agent sends the same claim again and gets the same calculations.
    func testAClaimSentAgainGetsWhatItTookTheFirstTime() throws {
        let cluster = try makeCluster()
        let first = try XCTUnwrap(createCalculation(cluster: cluster, name: "first")["id"]?.integerValue)
        let second = try XCTUnwrap(createCalculation(cluster: cluster, name: "second")["id"]?.integerValue)
        let id = UUID().uuidString
        XCTAssertEqual(Self.claimed(try client.post("/api/v1/agent/claim", ["max": 1, "claim_id": .string(id)], token: cluster.key)), [first])
        let again = try client.post("/api/v1/agent/claim", ["max": 1, "claim_id": .string(id)], token: cluster.key)
        XCTAssertEqual(Self.claimed(again), [first], "the same claim: the same calculation, not the next")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(second)", token: adminToken()).json["state"], "queued")
        XCTAssertEqual(Self.claimed(try client.post("/api/v1/agent/claim", ["max": 1, "claim_id": .string(UUID().uuidString)], token: cluster.key)),
                       [second], "a new claim takes the next")
        let other = try makeCluster()
        XCTAssertEqual(try client.post("/api/v1/agent/claim", ["max": 1, "claim_id": .string(id)], token: other.key).status, 204,
                       "another cluster's key never gets them")
        XCTAssertEqual(try client.post("/api/v1/agent/claim", ["claim_id": "not a uuid; drop table"], token: cluster.key).json["error"]?["field"], "claim_id")
    }

    func testAClaimsBodyIsCheckedAndTheOneAtATimeClaimIsUnchanged() throws {
        let cluster = try makeCluster()
        for body: JSON in [["max": 0], ["max": 65], ["wait_seconds": 26], ["max": "3"], ["max": 2, "hurry": true]] {
            let response = try client.post("/api/v1/agent/claim", body, token: cluster.key)
            XCTAssertEqual(response.status, 400, "\(body.serializedString()): \(response.description)")
        }
        let id = try XCTUnwrap(createCalculation(cluster: cluster)["id"]?.integerValue)
        let single = try client.post("/api/v1/agent/claim", token: cluster.key)
        XCTAssertEqual(single.json["id"]?.integerValue, id, "without a body: one calculation, as an object")
    }
}
