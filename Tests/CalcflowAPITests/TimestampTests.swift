@testable import CalcflowAPI
import XCTest

final class TimestampTests: XCTestCase {
    func testDatabaseTimesBecomeRFC3339InUTC() {
        XCTAssertEqual(Timestamp.rfc3339(fromDatabase: "2026-11-26 10:15:00.123456"), "2026-11-26T10:15:00Z")
        XCTAssertEqual(Timestamp.rfc3339(fromDatabase: "2026-11-26 10:15:00"), "2026-11-26T10:15:00Z")
    }

    func testWhatIsNotADatabaseTimeIsNone() {
        XCTAssertNil(Timestamp.rfc3339(fromDatabase: nil))
        XCTAssertNil(Timestamp.rfc3339(fromDatabase: "2026-11-26"))
        XCTAssertNil(Timestamp.rfc3339(fromDatabase: "2026-11-26T10:15:00Z"), "already converted")
    }
}
