import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// Live streams check their viewer on every poll, and no user can take every stream slot.
final class StreamViewerTests: StackTestCase {
    // Six stream threads: four streams at once, the last for an admin; tokens that live 10 s.
    override class var settings: [String: String] { ["stream_poll_ms": "100", "stream_threads": "6", "streams_per_user": "2", "access_token_ttl": "10"] }

    func ended(_ output: String, _ reason: String) throws {
        try Deadline.wait(for: "the stream to end with \(reason)", seconds: 20, interval: 0.2) {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.contains("event: end\ndata: {\"reason\": \"\(reason)\"}") || text.contains("event: end\ndata: {\"reason\":\"\(reason)\"}")
        }
    }

    func testAStreamEndsWhenItsViewerIsBlockedOrItsTokenExpires() throws {
        let user = try createUser(role: "user")
        let blockedOutput = stack.directory + "/blocked-stream.txt"
        let blocked = try openStream(token: user.token, output: blockedOutput)
        defer { blocked.terminate() }
        XCTAssertEqual(try client.patch("/api/v1/users/\(user.id)", ["blocked": true], token: adminToken()).status, 200)
        try ended(blockedOutput, "user_blocked")

        let other = try createUser(role: "user")
        let expiringOutput = stack.directory + "/expiring-stream.txt"
        let expiring = try openStream(token: other.token, output: expiringOutput)
        defer { expiring.terminate() }
        try ended(expiringOutput, "token_expired")
        try Deadline.wait(for: "curl to see the stream closed", seconds: 5) { !expiring.isRunning }
    }

    func testOneUserCannotTakeEveryStreamAndAnAdminAlwaysGetsOne() throws {
        let greedy = try createUser(role: "user")
        var streams: [Process] = []
        defer { streams.forEach { $0.terminate() } }
        for index in 0..<2 { streams.append(try openStream(token: greedy.token, output: stack.directory + "/greedy-\(index).txt")) }
        let third = try client.get("/api/v1/logs/stream", token: greedy.token)
        XCTAssertEqual(third.status, 429, third.description)
        XCTAssertEqual(third.errorCode, "rate_limited")
        streams.append(try openStream(token: createUser(role: "user").token, output: stack.directory + "/second-user.txt"))
        let full = try client.get("/api/v1/logs/stream", token: createUser(role: "moderator").token)
        XCTAssertEqual(full.status, 503, "the last slot is kept for an admin")
        streams.append(try openStream(token: adminToken(), output: stack.directory + "/admin.txt"))
    }
}
