import CalcflowTestSupport
import XCTest

/// `GET /api/v1/metrics`: Prometheus text for admins and the scrape token, nobody else.
final class MetricsTests: StackTestCase {
    static let scrapeToken = "scrape-token-for-prometheus-0123456789"
    override class var settings: [String: String] { ["metrics_token": scrapeToken] }

    func testAdminsAndTheScrapeTokenReadPrometheusText() throws {
        let cluster = try makeCluster()
        _ = try createCalculation(cluster: cluster)
        XCTAssertEqual(try client.get("/api/v1/me", token: adminToken()).status, 200)
        let scraped = try client.get("/api/v1/metrics", token: Self.scrapeToken)
        XCTAssertEqual(scraped.status, 200, scraped.description)
        XCTAssertTrue(scraped.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = scraped.text
        XCTAssertTrue(text.contains("# TYPE calcflow_http_requests_total counter"), text)
        XCTAssertTrue(text.contains(#"calcflow_http_requests_total{route="/api/v1/me",status="200"}"#), "routes by pattern")
        XCTAssertTrue(text.contains(#"calcflow_http_requests_total{route="/api/v1/calculations",status="201"}"#))
        XCTAssertFalse(text.contains("/api/v1/calculations/1\""), "no series per id")
        XCTAssertTrue(text.contains("calcflow_queue_depth{cluster=\"\(cluster.name)\"} 1"), text)
        XCTAssertTrue(text.contains(#"calcflow_calculations{state="queued"}"#))
        XCTAssertEqual(try client.get("/api/v1/metrics", token: adminToken()).status, 200)
        XCTAssertEqual(try client.get("/api/v1/metrics", token: createUser(role: "moderator").token).status, 403)
        XCTAssertEqual(try client.get("/api/v1/metrics", token: "not-the-scrape-token-at-all").status, 401)
        XCTAssertEqual(try client.get("/api/v1/metrics").status, 401)
    }
}
