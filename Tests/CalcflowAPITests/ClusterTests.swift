import CalcflowTestSupport
import JSON
import Foundation
import XCTest

final class ClusterTests: StackTestCase {
    override class var settings: [String: String] { ["maintenance_interval_ms": "200"] }

    func testOldHeartbeatsBecomeFiveMinuteAveragesAndRawPointsExpireAfterSevenDays() throws {
        let cluster = try makeCluster()
        let database = try stack.database()
        // Ten days ago, two points in one 5-minute bucket; and one point now.
        for (minutesAgo, cpu) in [(14_400 + 1, 20.0), (14_400 + 2, 40.0)] {
            try database.execute(
                """
                INSERT INTO heartbeats (cluster_id, recorded_at, cpu_percent, load_1m, memory_used_bytes, memory_total_bytes, disk_free_bytes, disk_total_bytes)
                VALUES (?, FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(CURRENT_TIMESTAMP - INTERVAL 14400 MINUTE) / 300) * 300 + ?), ?, 0.5, 1, 2, 3, 4)
                """, [.integer(cluster.id), .integer(Int64(minutesAgo - 14_400)), .double(cpu)])
        }
        XCTAssertEqual(try heartbeat(cluster).status, 200)
        try Deadline.wait(for: "the rollup and the retention", seconds: 20) {
            let raw = try database.queryFirst("SELECT COUNT(*) AS old FROM heartbeats WHERE cluster_id = ? AND recorded_at < CURRENT_TIMESTAMP - INTERVAL 7 DAY",
                                              [.integer(cluster.id)])?.int("old")
            let rolled = try database.queryFirst("SELECT samples, cpu_percent FROM heartbeat_rollups WHERE cluster_id = ? AND bucket_start < CURRENT_TIMESTAMP - INTERVAL 7 DAY",
                                                 [.integer(cluster.id)])
            return raw == 0 && rolled?.int("samples") == 2
        }
        let rolled = try database.queryFirst("SELECT cpu_percent FROM heartbeat_rollups WHERE cluster_id = ? AND bucket_start < CURRENT_TIMESTAMP - INTERVAL 7 DAY",
                                             [.integer(cluster.id)])
        XCTAssertEqual(rolled?.double("cpu_percent") ?? 0, 30.0, accuracy: 0.001)
        let since = Date().addingTimeInterval(-11 * 86_400).formatted(.iso8601)
        let metrics = try client.get("/api/v1/clusters/\(cluster.id)/metrics?since=\(since)", token: adminToken())
        XCTAssertEqual(metrics.json["resolution"], "300s")
        XCTAssertEqual(metrics.json["points"]?.arrayValue?.first?["cpu_percent"], 30.0)
        // The heartbeat just sent is an hour from being folded in; the long graph shows it anyway.
        XCTAssertEqual(metrics.json["points"]?.arrayValue?.count, 2)
        XCTAssertEqual(metrics.json["points"]?.arrayValue?.last?["cpu_percent"], 12.5)
        XCTAssertEqual(try database.queryFirst("SELECT COUNT(*) AS n FROM heartbeats WHERE cluster_id = ?", [.integer(cluster.id)])?.int("n"), 1,
                       "the recent point stays raw")
    }

    /// A flood of heartbeats is folded into the averages over several rounds, each a bounded
    /// statement, and none is counted twice or lost.
    func testAFloodOfHeartbeatsIsRolledUpInRoundsAndCountedOnce() throws {
        let cluster = try makeCluster()
        let database = try stack.database()
        // 120,000 points of one cluster in one old bucket: more than two rounds' worth.
        try database.execute(
            """
            INSERT INTO heartbeats (cluster_id, recorded_at, cpu_percent, load_1m, memory_used_bytes, memory_total_bytes, disk_free_bytes, disk_total_bytes)
            SELECT ?, FROM_UNIXTIME(FLOOR(UNIX_TIMESTAMP(CURRENT_TIMESTAMP - INTERVAL 2 DAY) / 300) * 300), seq % 2 * 50, 0.5, 1, 2, 3, 4 FROM seq_1_to_120000
            """, [.integer(cluster.id)])
        try Deadline.wait(for: "every point rolled up", seconds: 60) {
            try database.queryFirst("SELECT COALESCE(SUM(samples), 0) AS samples FROM heartbeat_rollups WHERE cluster_id = ?", [.integer(cluster.id)])?.int("samples") == 120_000
        }
        let rolled = try database.queryFirst("SELECT COUNT(*) AS buckets, MAX(cpu_percent) AS cpu FROM heartbeat_rollups WHERE cluster_id = ?", [.integer(cluster.id)])
        XCTAssertEqual(rolled?.int("buckets"), 1)
        XCTAssertEqual(rolled?.double("cpu") ?? 0, 25.0, accuracy: 0.001, "the average of 0 and 50, weighted across rounds")
    }

    func testAdminsManageClustersAndOthersOnlyLook() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        XCTAssertEqual(try client.get("/api/v1/clusters", token: user.token).status, 200)
        XCTAssertEqual(try client.post("/api/v1/clusters", ["name": "mine"], token: user.token).status, 403)
        XCTAssertEqual(try client.patch("/api/v1/clusters/\(cluster.id)", ["enabled": false], token: createUser(role: "moderator").token).status, 403)
        XCTAssertEqual(try client.post("/api/v1/clusters", ["name": .string(cluster.name)], token: adminToken()).status, 409)
        XCTAssertEqual(try client.post("/api/v1/clusters", ["name": "../etc"], token: adminToken()).json["error"]?["field"], "name")
        let edited = try client.patch("/api/v1/clusters/\(cluster.id)", ["description": "GPU nodes", "max_running": 4], token: adminToken())
        XCTAssertEqual(edited.json["description"], "GPU nodes")
        XCTAssertEqual(edited.json["max_running"], 4)
    }

    func testKeysAreShownOnceAndStoredHashed() throws {
        let cluster = try makeCluster()
        let keys = try client.get("/api/v1/clusters/\(cluster.id)/keys", token: adminToken())
        XCTAssertEqual(keys.status, 200)
        XCTAssertFalse(keys.text.contains(cluster.key), "no secret in the list")
        XCTAssertEqual(keys.json["items"]?.arrayValue?.first?["active"], true)
        XCTAssertTrue(cluster.key.hasPrefix("ck_"))
        XCTAssertGreaterThanOrEqual(cluster.key.count, 3 + 43, "32 random bytes")
        let stored = try stack.database().query("SELECT key_hash FROM cluster_keys WHERE cluster_id = ?", [.integer(cluster.id)])
        XCTAssertEqual(stored.first?.string("key_hash")?.count, 64)
        XCTAssertNotEqual(stored.first?.string("key_hash"), cluster.key)
    }

    func testAClusterCanHaveSeveralKeysAndEachCanBeRevoked() throws {
        let cluster = try makeCluster()
        let second = try client.post("/api/v1/clusters/\(cluster.id)/keys", ["label": "spare"], token: adminToken())
        let secondKey = try XCTUnwrap(second.json["key"]?.stringValue)
        let secondID = try XCTUnwrap(second.json["id"]?.integerValue)
        XCTAssertEqual(try heartbeat(cluster).status, 200)
        XCTAssertEqual(try heartbeat(TestCluster(id: cluster.id, name: cluster.name, key: secondKey)).status, 200)
        XCTAssertEqual(try client.delete("/api/v1/clusters/\(cluster.id)/keys/\(secondID)", token: adminToken()).status, 204)
        XCTAssertEqual(try heartbeat(TestCluster(id: cluster.id, name: cluster.name, key: secondKey)).status, 401, "revoked at once")
        XCTAssertEqual(try heartbeat(cluster).status, 200, "the other key still works")
        let keys = try client.get("/api/v1/clusters/\(cluster.id)/keys", token: adminToken()).json["items"]?.arrayValue ?? []
        XCTAssertNotNil(keys.first?["last_used_at"]?.stringValue, "last use is recorded")
    }

    func testHeartbeatsMakeAClusterOnlineWithItsLatestFigures() throws {
        let cluster = try makeCluster()
        XCTAssertEqual(try client.get("/api/v1/clusters/\(cluster.id)", token: adminToken()).json["online"], false)
        let beat = try heartbeat(cluster)
        XCTAssertEqual(beat.status, 200, beat.description)
        XCTAssertEqual(beat.json["enabled"], true)
        XCTAssertNotNil(beat.json["server_time"]?.stringValue)
        XCTAssertEqual(beat.json["cancel"], [])
        let shown = try client.get("/api/v1/clusters/\(cluster.id)", token: adminToken()).json
        XCTAssertEqual(shown["online"], true)
        XCTAssertEqual(shown["latest"]?["cpu_percent"], 12.5)
        XCTAssertEqual(shown["agent_version"], "test-1")
        let metrics = try client.get("/api/v1/clusters/\(cluster.id)/metrics", token: adminToken())
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.json["points"]?.arrayValue?.first?["memory_total_bytes"], 8_000_000.0)
        XCTAssertEqual(try client.get("/api/v1/clusters/\(cluster.id)/metrics?since=yesterday", token: adminToken()).status, 400)
    }

    func testAJWTOnAnAgentRouteAndAKeyOnAUserRouteAre403() throws {
        let cluster = try makeCluster()
        XCTAssertEqual(try client.post("/api/v1/agent/heartbeat", ["cpu_percent": 1], token: adminToken()).status, 403)
        XCTAssertEqual(try client.get("/api/v1/clusters", token: cluster.key).status, 403)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: "ck_forged").status, 401)
    }

    func testCapabilitiesBuildTheCatalog() throws {
        _ = try makeCluster()
        let catalog = try client.get("/api/v1/analyses", token: adminToken())
        XCTAssertEqual(catalog.status, 200)
        let bands = catalog.json["items"]?.arrayValue?.first { $0["engine"] == "qe" && $0["name"] == "bands" }
        XCTAssertEqual(bands?["requires"], ["scf"])
        XCTAssertEqual(bands?["clusters"]?.arrayValue?.first?["version"], "6.7")
        let cluster = try makeCluster()
        let broken = try client.send("PUT", "/api/v1/agent/capabilities", body: (["engines": [["name": "siesta", "analyses": [["name": "bands", "requires": ["scf"]]]]]] as JSON).serialized(), token: cluster.key)
        XCTAssertEqual(broken.status, 400, "a requirement the engine does not offer")
    }

    func testADisabledClusterClaimsNothing() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster)
        XCTAssertEqual(try client.patch("/api/v1/clusters/\(cluster.id)", ["enabled": false], token: adminToken()).status, 200)
        XCTAssertEqual(try heartbeat(cluster).json["enabled"], false)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 204)
        XCTAssertEqual(try client.patch("/api/v1/clusters/\(cluster.id)", ["enabled": true], token: adminToken()).status, 200)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
    }

    func testAClusterWithCalculationsCannotBeDeleted() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster)
        XCTAssertEqual(try client.delete("/api/v1/clusters/\(cluster.id)", token: adminToken()).status, 409)
        let empty = try makeCluster()
        XCTAssertEqual(try client.delete("/api/v1/clusters/\(empty.id)", token: adminToken()).status, 204)
        XCTAssertEqual(try heartbeat(empty).status, 401, "its keys went with it")
    }
}
