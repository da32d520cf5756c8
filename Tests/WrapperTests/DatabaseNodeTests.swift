import MariaDB
import XCTest

/// `db_hosts` entries, as a sysadmin writes them.
final class DatabaseNodeTests: XCTestCase {
    func testNodesAreReadWithTheirPortsOrTheDefault() {
        XCTAssertEqual(DatabaseConfiguration.Node("db1:3307"), DatabaseConfiguration.Node(host: "db1", port: 3307))
        XCTAssertEqual(DatabaseConfiguration.Node(" 10.0.0.3 "), DatabaseConfiguration.Node(host: "10.0.0.3", port: 3306))
        XCTAssertEqual(DatabaseConfiguration.Node("[fd00::3]:3308"), DatabaseConfiguration.Node(host: "fd00::3", port: 3308))
        XCTAssertNil(DatabaseConfiguration.Node("db1:port"))
        XCTAssertNil(DatabaseConfiguration.Node("db1:70000"))
        XCTAssertNil(DatabaseConfiguration.Node(":3306"))
    }

    func testTheFirstNodeIsPreferredAndTheOthersFollowInOrder() {
        let configuration = DatabaseConfiguration(host: "db1", port: 3306, fallbacks: [.init(host: "db2"), .init(host: "db3", port: 3307)])
        XCTAssertEqual(configuration.nodes.map(\.host), ["db1", "db2", "db3"])
        XCTAssertEqual(configuration.nodes.last?.port, 3307)
    }
}
