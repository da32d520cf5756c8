@testable import CalcflowAPI
import JSON
import XCTest

/// The OpenAPI document in the repository and the router's table describe the same API.
final class OpenAPIContractTests: XCTestCase {
    func testTheDocumentListsExactlyTheRoutesOfTheRouter() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CalcflowAPI/Resources/openapi.json").path
        let document = try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        XCTAssertEqual(document["openapi"]?.stringValue, "3.1.0")
        var documented: Set<String> = []
        for (route, operations) in document["paths"]?.objectValue ?? [:] {
            for method in (operations.objectValue ?? [:]).keys { documented.insert("\(method.uppercased()) \(route)") }
        }
        let routed = Set(APIRoutes.all.map { "\($0.method) \($0.pattern)" })
        XCTAssertFalse(routed.isEmpty)
        XCTAssertEqual(routed.subtracting(documented).sorted(), [], "routes missing from openapi.json")
        XCTAssertEqual(documented.subtracting(routed).sorted(), [], "documented routes the router does not have")
    }
}
