import CalcflowTestSupport
import Foundation
import XCTest

/// The dashboard in real Chromium (Playwright driving Debian's browser): Tests/Dashboard/*.py. The
/// screenshots are kept as artifacts under .build/test-artifacts/screenshots.
final class DashboardTests: StackTestCase {
    static let screenshots = Shell.repository + "/.build/test-artifacts/screenshots"

    func run(_ script: String) throws -> String {
        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        return try Shell.run("timeout 300 python3 '\(Shell.repository)/Tests/Dashboard/\(script)' '\(stack.baseURL)' '\(stack.adminEmail)' '\(stack.adminPassword)' '\(Self.screenshots)'")
    }

    func testAScientistSignsInLooksAroundAndAddsAColleague() throws {
        let output = try run("dashboard_check.py")
        XCTAssertTrue(output.contains("dashboard check passed"), output)
        for name in ["login", "dashboard-admin", "users-admin", "users-user"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(name).png"), "screenshot \(name)")
        }
    }

    /// Every page for every role (and the user's in the dark theme): no console error, no serious or
    /// critical axe-core violation, the sections reachable by keyboard.
    func testEveryPageForEveryRoleIsAccessibleAndQuiet() throws {
        let output = try run("roles_check.py")
        XCTAssertTrue(output.contains("roles check passed"), output)
        for name in ["calculations-new-user", "models-admin", "users-moderator", "account-user-dark"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(name).png"), "screenshot \(name)")
        }
    }
}
