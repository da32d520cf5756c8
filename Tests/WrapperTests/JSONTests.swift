import JSON
import XCTest

final class JSONTests: XCTestCase {
    func testParsesEveryKind() throws {
        let value = try JSON.parse(#"{"a": [1, 2.5, "x", true, false, null], "b": {"c": "é☃"}}"#)
        XCTAssertEqual(value, ["a": [1, 2.5, "x", true, false, nil], "b": ["c": "é☃"]])
    }

    func testPrintsCompactSortedAndRoundTrips() throws {
        let value: JSON = ["b": 1, "a": ["x": "quote \" and \\ and \n"], "c": [1.5, nil]]
        XCTAssertEqual(value.serializedString(), #"{"a":{"x":"quote \" and \\ and \n"},"b":1,"c":[1.5,null]}"#)
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
    }

    func testMalformedDocumentsAreErrorsWithAPosition() {
        XCTAssertThrowsError(try JSON.parse("{\"a\": ")) { error in
            XCTAssertGreaterThan((error as? JSONError)?.line ?? 0, 0)
        }
        XCTAssertThrowsError(try JSON.parse(""))
        XCTAssertThrowsError(try JSON.parse([0xff, 0xfe]))
    }

    func testDuplicateKeysAreRefused() {
        XCTAssertThrowsError(try JSON.parse(#"{"role": "user", "role": "admin"}"#))
    }

    func testIntegersBeyondSixtyFourBitsAreRefused() {
        XCTAssertThrowsError(try JSON.parse("99999999999999999999999"))
        XCTAssertEqual(try JSON.parse("9223372036854775807"), .integer(Int64.max))
    }

    func testNonFiniteNumbersPrintAsNull() {
        XCTAssertEqual(JSON.number(.nan).serializedString(), "null")
    }
}
