import CalcflowTestSupport
import XCTest

final class MigrationTests: StackTestCase {
    func testMigratingAgainChangesNothing() throws {
        // The stack was migrated when it started; twice more must be harmless.
        let command = "'\(TestStack.binaries)/calcflowctl' migrate --config '\(stack.directory)/calcflow.conf' --migrations '\(Shell.repository)/migrations'"
        XCTAssertTrue(try Shell.run(command).contains("up to date"))
        XCTAssertTrue(try Shell.run(command).contains("up to date"))
        let database = try stack.database()
        let files = try FileManager.default.contentsOfDirectory(atPath: Shell.repository + "/migrations").filter { $0.hasSuffix(".sql") }
        let recorded = try database.query("SELECT version, name FROM schema_migrations ORDER BY version")
        XCTAssertEqual(recorded.count, files.count)
        XCTAssertEqual(recorded.compactMap { $0.string("name") }, files.sorted())
        XCTAssertEqual(try client.get("/api/v1/healthz").status, 200)
    }

    func testConfigCheckPassesOnAHealthyStack() throws {
        let output = try Shell.run("'\(TestStack.binaries)/calcflowctl' config check --config '\(stack.directory)/calcflow.conf'")
        XCTAssertTrue(output.contains("all checks passed"), output)
    }

    func testConfigCheckNamesAProblem() throws {
        XCTAssertThrowsError(try Shell.run("CALCFLOW_JWT_SECRET=short '\(TestStack.binaries)/calcflowctl' config check --config '\(stack.directory)/calcflow.conf'")) { error in
            XCTAssertTrue("\(error)".contains("jwt_secret"), "\(error)")
        }
    }

    func testUserAddRefusesADuplicateUnlessToldItMayExist() throws {
        let add = "'\(TestStack.binaries)/calcflowctl' user add --config '\(stack.directory)/calcflow.conf' --email \(stack.adminEmail) --role admin"
        XCTAssertThrowsError(try Shell.run(add))
        XCTAssertTrue(try Shell.run(add + " --if-absent").contains("already exists"))
        let generated = try Shell.run("'\(TestStack.binaries)/calcflowctl' user add --config '\(stack.directory)/calcflow.conf' --email generated@calcflow.test")
        let password = try XCTUnwrap(generated.split(separator: "\n").first { $0.hasPrefix("password: ") }?.dropFirst("password: ".count))
        XCTAssertNoThrow(try client.login("generated@calcflow.test", String(password)))
    }
}
