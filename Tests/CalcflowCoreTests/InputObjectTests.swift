import CalcflowCore
import JSON
import XCTest

final class InputObjectTests: XCTestCase {
    func testReadsKnownFieldsAndRejectsUnknownOnes() throws {
        var input = try InputObject(["email": "a@b.org", "colour": "red"])
        XCTAssertEqual(try input.string("email"), "a@b.org")
        XCTAssertThrowsError(try input.rejectUnknownFields()) { error in
            XCTAssertEqual((error as? ValidationError)?.field, "colour")
        }
    }

    func testWrongTypesNameTheFieldAndTheType() throws {
        var input = try InputObject(["blocked": "yes"])
        XCTAssertThrowsError(try input.bool("blocked")) { error in
            XCTAssertEqual(error as? ValidationError, ValidationError(field: "blocked", message: "expected true or false, got string"))
        }
    }

    func testRequiredFieldsAndNull() throws {
        var input = try InputObject(["name": nil])
        XCTAssertThrowsError(try input.string("name", required: true))
        XCTAssertNil(try input.string("other"))
    }

    func testNonObjectsAreRefused() {
        XCTAssertThrowsError(try InputObject([1, 2]))
        XCTAssertThrowsError(try InputObject("text"))
    }

    func testChoicesListTheAllowedValues() throws {
        var input = try InputObject(["role": "root"])
        XCTAssertThrowsError(try input.choice("role", of: Role.self)) { error in
            XCTAssertEqual((error as? ValidationError)?.message, "must be one of 'user', 'moderator', 'admin'")
        }
    }

    func testIntegerRanges() throws {
        var input = try InputObject(["priority": 101])
        XCTAssertThrowsError(try input.integer("priority", range: -100...100))
    }

    func testLengthLimits() throws {
        var input = try InputObject(["name": .string(String(repeating: "x", count: 201))])
        XCTAssertThrowsError(try input.string("name", maxLength: 200))
        // 150 letters, 300 code points ("e" and a combining acute accent): the database counts 300.
        var combined = try InputObject(["name": .string(String(repeating: "e\u{301}", count: 150))])
        XCTAssertThrowsError(try combined.string("name", maxLength: 200))
        var fits = try InputObject(["name": .string(String(repeating: "€", count: 200))])
        XCTAssertEqual(try fits.string("name", maxLength: 200)?.unicodeScalars.count, 200)
    }

    func testEmailAddressesAreNormalised() throws {
        XCTAssertEqual(try EmailAddress.normalized("  Ada@Example.ORG "), "ada@example.org")
        XCTAssertEqual(try EmailAddress.normalized("admin@localhost"), "admin@localhost")
        for bad in ["", "ada", "@example.org", "ada@", "a b@example.org", "a@b@c.org", "ada@example"] {
            XCTAssertThrowsError(try EmailAddress.normalized(bad), bad)
        }
    }

    func testPasswordsNeedTenCharacters() {
        XCTAssertThrowsError(try PasswordRule.check("short"))
        XCTAssertNoThrow(try PasswordRule.check("long enough now"))
    }
}
