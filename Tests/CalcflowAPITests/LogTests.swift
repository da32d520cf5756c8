import CalcflowTestSupport
import Foundation
import JSON
import XCTest

final class LogTests: StackTestCase {
    // Three stream threads: one live stream at a time, two kept free to refuse more.
    override class var settings: [String: String] { ["stream_poll_ms": "100", "stream_threads": "3"] }

    func post(_ cluster: TestCluster, _ message: String, level: String = "INFO", calculation: Int64? = nil) throws -> TestResponse {
        var entry: [String: JSON] = ["ts": .string(Date().formatted(.iso8601)), "level": .string(level), "message": .string(message)]
        if let calculation { entry["calculation_id"] = .integer(calculation) }
        return try client.post("/api/v1/agent/logs", ["entries": [.object(entry)]], token: cluster.key)
    }

    func testLogsAreIngestedFilteredAndDeletedByAdmins() throws {
        let cluster = try makeCluster()
        let other = try makeCluster()
        XCTAssertEqual(try post(cluster, "pw.x started").status, 204)
        XCTAssertEqual(try post(cluster, "pw.x started").status, 204, "batches are accepted as they come")
        XCTAssertEqual(try post(cluster, "disk almost full", level: "ERROR").status, 204)
        XCTAssertEqual(try post(other, "elsewhere").status, 204)
        XCTAssertEqual(try post(cluster, "x", level: "LOUD").status, 400)
        let token = try adminToken()
        let mine = try client.get("/api/v1/logs?cluster_id=\(cluster.id)", token: token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(mine.count, 3)
        XCTAssertEqual(mine.first?["cluster"], .string(cluster.name))
        let errors = try client.get("/api/v1/logs?cluster_id=\(cluster.id)&level=ERROR", token: token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(errors.map { $0["message"] }, ["disk almost full"])
        // The page's history: newest first, a page at a time walking back.
        let newest = try client.get("/api/v1/logs?cluster_id=\(cluster.id)&order=newest&limit=2", token: token).json
        XCTAssertEqual(newest["items"]?.arrayValue?.map { $0["message"] }, ["disk almost full", "pw.x started"])
        let cursor = try XCTUnwrap(newest["next_cursor"]?.stringValue)
        let older = try client.get("/api/v1/logs?cluster_id=\(cluster.id)&order=newest&limit=2&cursor=\(cursor)", token: token).json
        XCTAssertEqual(older["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(older["next_cursor"], .null)
        XCTAssertEqual(try client.get("/api/v1/logs?order=sideways", token: token).json["error"]?["field"], "order")
        let user = try createUser(role: "user")
        XCTAssertEqual(try client.delete("/api/v1/logs?before=2100-01-01T00:00:00Z", token: user.token).status, 403)
        XCTAssertEqual(try client.delete("/api/v1/logs", token: token).status, 400)
        let deleted = try client.delete("/api/v1/logs?before=2100-01-01T00:00:00Z", token: token)
        XCTAssertGreaterThanOrEqual(deleted.json["deleted"]?.integerValue ?? 0, 4)
        XCTAssertEqual(try client.get("/api/v1/logs?cluster_id=\(cluster.id)", token: token).json["items"]?.arrayValue?.count, 0)
    }

    func testTheLiveStreamDeliversAPostedEntryWithinASecond() throws {
        let cluster = try makeCluster()
        let token = try adminToken()
        let output = stack.directory + "/stream.txt"
        let stream = try openStream(path: "/api/v1/logs/stream?cluster_id=\(cluster.id)", token: token, output: output)
        defer { stream.terminate() }
        let posted = Date()
        XCTAssertEqual(try post(cluster, "SCF iteration 7: -212.61 Ry").status, 204)
        try Deadline.wait(for: "the entry on the stream", seconds: 1, interval: 0.01) {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("SCF iteration 7")
        }
        XCTAssertLessThan(Date().timeIntervalSince(posted), 1.0)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("data: ") && $0.contains("SCF iteration 7") })
        let entry = try JSON.parse(String(line.dropFirst(6)))
        XCTAssertEqual(entry["level"], "INFO")
        XCTAssertEqual(entry["cluster_id"], .integer(cluster.id))
    }

    func testStreamsNeedSignIn() throws {
        XCTAssertEqual(try client.get("/api/v1/logs/stream").status, 401)
    }

    func testStreamsBeyondTheLimitAreRefusedAtOnce() throws {
        let token = try adminToken()
        let first = try openStream(path: "/api/v1/logs/stream", token: token, output: stack.directory + "/first-stream.txt")
        defer { first.terminate() }
        let second = try client.get("/api/v1/logs/stream", token: token)
        XCTAssertEqual(second.status, 503)
        XCTAssertEqual(second.errorCode, "unavailable")
        XCTAssertTrue(second.json["error"]?["message"]?.stringValue?.contains("too many live streams") == true)
        XCTAssertEqual(try client.get("/api/v1/healthz").status, 200, "the request threads are untouched")
    }
}
