import CalcflowTestSupport
import Foundation
import JSON
import XCTest

final class ClaimRaceTests: StackTestCase {
    func testTwelveClaimersTakeSixtyCalculationsEachExactlyOnce() throws {
        let cluster = try makeCluster()
        var created: Set<Int64> = []
        for index in 0..<60 {
            created.insert(try XCTUnwrap(try createCalculation(cluster: cluster, name: "race \(index)", priority: Int64(index % 7))["id"]?.integerValue))
        }
        let claims = Ledger<Int64>()
        let group = DispatchGroup()
        let baseURL = stack.baseURL
        let certificate = stack.certificate
        let key = cluster.key
        for _ in 0..<12 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let client = APIClient(baseURL: baseURL, certificate: certificate)
                while let response = try? client.post("/api/v1/agent/claim", token: key), response.status == 200 {
                    claims.record(response.json["id"]?.integerValue ?? -1)
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        // Anything a claimer skipped while another held its lock is still claimable now.
        while let response = try? client.post("/api/v1/agent/claim", token: cluster.key), response.status == 200 {
            claims.record(response.json["id"]?.integerValue ?? -1)
        }
        let all = claims.all
        XCTAssertEqual(all.count, 60, "60 claims in all")
        XCTAssertEqual(Set(all), created, "each calculation claimed, none twice")
        let running = try stack.database().queryFirst(
            "SELECT COUNT(*) AS running FROM calculations WHERE cluster_id = ? AND state = 'running' AND processed = 1", [.integer(cluster.id)])
        XCTAssertEqual(running?.int("running"), 60)
    }
}

extension ClaimRaceTests {
    /// The throttle under a race: twelve claimers at once never get a cluster past its max_running,
    /// and each finished calculation makes room for exactly one more.
    func testTwelveClaimersNeverExceedTheThrottle() throws {
        let cluster = try makeCluster(maxRunning: 3)
        for index in 0..<9 { _ = try createCalculation(cluster: cluster, name: "throttled \(index)") }
        func race() throws -> [Int64] {
            let claims = Ledger<Int64>()
            let group = DispatchGroup()
            let (baseURL, certificate, key) = (stack.baseURL, stack.certificate, cluster.key)
            for _ in 0..<12 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let client = APIClient(baseURL: baseURL, certificate: certificate)
                    for _ in 0..<3 {
                        if let response = try? client.post("/api/v1/agent/claim", token: key), response.status == 200 {
                            claims.record(response.json["id"]?.integerValue ?? -1)
                        }
                    }
                }
            }
            XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
            return claims.all
        }
        let first = try race()
        XCTAssertEqual(first.count, 3, "three at most, whoever asks")
        XCTAssertEqual(Set(first).count, 3)
        XCTAssertEqual(try event(cluster, calculation: first[0], seq: 1, state: "succeeded").status, 204)
        let second = try race()
        XCTAssertEqual(second.count, 1, "one finished, one more")
        XCTAssertTrue(Set(first).isDisjoint(with: second))
        let running = try stack.database().queryFirst("SELECT COUNT(*) AS running FROM calculations WHERE cluster_id = ? AND state = 'running'",
                                                      [.integer(cluster.id)])
        XCTAssertEqual(running?.int("running"), 3)
    }
}
