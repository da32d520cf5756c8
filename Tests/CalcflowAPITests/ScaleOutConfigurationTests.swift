@testable import CalcflowAPI
import CalcflowConfiguration
import MariaDB
import XCTest

/// The settings of an API host among several: its database nodes and its FastCGI listener on TCP.
final class ScaleOutConfigurationTests: XCTestCase {
    private func configuration(_ values: [String: String]) throws -> APIConfiguration {
        try APIConfiguration(ConfigurationFile(values: ["jwt_secret": String(repeating: "s", count: 40)].merging(values) { $1 }))
    }

    func testDatabaseHostsPutThisHostsNodeFirstAndTheOthersAfter() throws {
        let database = try configuration(["db_hosts": "10.0.0.2:3306, 10.0.0.3:3307 ,10.0.0.4"]).database
        XCTAssertEqual(database.nodes, [.init(host: "10.0.0.2", port: 3306), .init(host: "10.0.0.3", port: 3307), .init(host: "10.0.0.4", port: 3306)])
        XCTAssertEqual(try configuration(["db_host": "db", "db_port": "3310"]).database.nodes, [.init(host: "db", port: 3310)], "one server as before")
        XCTAssertThrowsError(try configuration(["db_hosts": "10.0.0.2:3306, db3:three"])) { error in
            XCTAssertTrue("\(error)".contains("db3:three"), "\(error)")
        }
    }

    func testFastCGIOverTCPListensOnOnePrivateAddressAndStreamsOnTheNextPort() throws {
        let tcp = try configuration(["socket": "10.0.0.11:9000"])
        XCTAssertEqual(tcp.socketPath, "10.0.0.11:9000")
        XCTAssertEqual(tcp.streamSocketPath, "10.0.0.11:9001")
        XCTAssertEqual(try configuration([:]).streamSocketPath, "/run/calcflow/api-stream.sock")
        for wildcard in ["0.0.0.0:9000", ":9000", "[::]:9000"] {
            XCTAssertThrowsError(try configuration(["socket": wildcard]), wildcard) { error in
                XCTAssertTrue("\(error)".contains("private address"), "\(error)")
            }
        }
        XCTAssertThrowsError(try configuration(["socket": "10.0.0.11:port"]))
    }
}
