import CalcflowTestSupport
import Foundation
import XCTest

/// The dashboard in real Chromium (Playwright driving Debian's browser): Tests/Dashboard/dashboard_check.py.
final class DashboardTests: StackTestCase {
    func testAScientistSignsInLooksAroundAndAddsAColleague() throws {
        let screenshots = stack.directory + "/screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let output = try Shell.run("timeout 180 python3 '\(Shell.repository)/Tests/Dashboard/dashboard_check.py' '\(stack.baseURL)' '\(stack.adminEmail)' '\(stack.adminPassword)' '\(screenshots)'")
        XCTAssertTrue(output.contains("dashboard check passed"), output)
        for name in ["login", "dashboard-admin", "users-admin", "users-user"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(screenshots)/\(name).png"), "screenshot \(name)")
        }
    }
}
