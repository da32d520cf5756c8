import CalcflowTestSupport
import JSON
import XCTest

/// A test class with a whole Calcflow of its own (MariaDB, calcflow-api, nginx), started once.
class StackTestCase: XCTestCase {
    nonisolated(unsafe) static var stacks: [ObjectIdentifier: TestStack] = [:]
    nonisolated(unsafe) static var failures: [ObjectIdentifier: String] = [:]

    /// Extra config lines for this class's API.
    class var settings: [String: String] { [:] }
    /// Whether this class's stack has an SMTP sink (aiosmtpd) that the API sends to.
    class var smtpSink: Bool { false }
    class var mailSecurity: TestStack.MailSecurity { .plain }

    override class func setUp() {
        super.setUp()
        do {
            stacks[ObjectIdentifier(self)] = try TestStack(settings: settings, smtpSink: smtpSink, mailSecurity: mailSecurity)
        } catch {
            failures[ObjectIdentifier(self)] = "\(error)"
        }
    }

    override class func tearDown() {
        stacks.removeValue(forKey: ObjectIdentifier(self))?.stop()
        super.tearDown()
    }

    var stack: TestStack!
    var client: APIClient!

    override func setUpWithError() throws {
        try super.setUpWithError()
        if let failure = Self.failures[ObjectIdentifier(type(of: self))] { throw StackFailure(message: failure) }
        stack = Self.stacks[ObjectIdentifier(type(of: self))]
        client = stack.makeClient()
    }

    struct StackFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "the test stack did not start: \(message)" }
    }

    func adminToken() throws -> String {
        try client.login(stack.adminEmail, stack.adminPassword).token
    }

    /// Creates a user through the API as the admin and signs it in.
    func createUser(role: String, email: String? = nil, password: String = "a long enough password") throws -> (id: Int64, email: String, token: String) {
        let email = email ?? "\(role)-\(UUID().uuidString.prefix(8).lowercased())@calcflow.test"
        let created = try client.post("/api/v1/users", ["email": .string(email), "name": "Test", "role": .string(role), "password": .string(password)],
                                      token: adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        let id = created.json["id"]?.integerValue ?? 0
        return (id, email, try client.login(email, password).token)
    }
}
