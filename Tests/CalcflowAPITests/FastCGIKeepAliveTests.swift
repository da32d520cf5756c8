import CalcflowTestSupport
import Foundation
import XCTest

/// nginx keeps its FastCGI connections to calcflow-api open between requests. An idle one waits in
/// the API's epoll set, not in a thread: with two threads and many more kept connections, every
/// request is still answered at once (a thread pinned to each kept connection would leave requests
/// waiting behind idle ones, as a bare threaded libfcgi responder does).
final class FastCGIKeepAliveTests: StackTestCase {
    override class var settings: [String: String] { ["threads": "2"] }

    /// Established connections to the API's socket, as the kernel lists them (both ends show its path).
    func connectionsToTheAPI() throws -> Int {
        // Columns: Num RefCount Protocol Flags Type St Inode Path; St 03 is connected. Read by awk:
        // Foundation reads a /proc file only as far as its size, which /proc gives as 0.
        let count = try Shell.run("awk '$6 == \"03\" && $8 == \"\(stack.directory)/run/api.sock\"' /proc/net/unix | wc -l")
        return Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testTwelveKeptConnectionsShareTwoThreadsAndNoneHoldsARequestBack() throws {
        let output = try Shell.run("timeout 60 python3 '\(Shell.repository)/Tests/FastCGI/kept_connections_check.py' '\(stack.directory)/run/api.sock' 12")
        XCTAssertTrue(output.contains("kept connections check passed"), output)
    }

    func testNginxKeepsItsConnectionsToTheAPIBetweenRequests() throws {
        for _ in 0..<20 { XCTAssertEqual(try client.get("/api/v1/healthz").status, 200) }
        // With fastcgi_keep_conn off every connection would be closed by now.
        XCTAssertGreaterThan(try connectionsToTheAPI(), 0, "nginx's upstream keepalive pool holds connections open")
        for _ in 0..<20 { XCTAssertEqual(try client.get("/api/v1/healthz").status, 200) }
    }
}
