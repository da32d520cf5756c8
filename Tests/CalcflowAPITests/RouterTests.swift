@testable import CalcflowAPI
import XCTest

final class RouterTests: XCTestCase {
    let router = APIRoutes.router

    func testPathParametersAreExtracted() {
        guard case .found(let route, let parameters) = router.match(method: "POST", path: "/api/v1/users/17/revoke-sessions") else {
            return XCTFail("no match")
        }
        XCTAssertEqual(route.pattern, "/api/v1/users/{id}/revoke-sessions")
        XCTAssertEqual(parameters, ["id": "17"])
    }

    func testAWrongMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = router.match(method: "PUT", path: "/api/v1/users/3") else { return XCTFail("expected 405") }
        XCTAssertEqual(Set(allowed), ["GET", "PATCH", "DELETE"])
    }

    func testUnknownPathsAreNotFound() {
        guard case .notFound = router.match(method: "GET", path: "/api/v1/nothing/here") else { return XCTFail("expected 404") }
    }

    func testEveryRouteHasAUniqueMethodAndPattern() {
        let keys = router.routes.map { "\($0.method) \($0.pattern)" }
        XCTAssertEqual(keys.count, Set(keys).count)
    }
}
