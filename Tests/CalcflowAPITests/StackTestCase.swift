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

    /// A live stream (`path`, the log stream unless told) read by curl into `output`, once it has sent
    /// its greeting comment. A stream of a previous test frees its thread a moment after its client left, so
    /// a refused one is tried again until it opens.
    func openStream(path: String = "/api/v1/logs/stream", token: String, output: String) throws -> Process {
        var stream = Process()
        try Deadline.wait(for: "a live stream to open", seconds: 15, interval: 0.1) {
            if !stream.isRunning {
                try? FileManager.default.removeItem(atPath: output)
                stream = Process()
                stream.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                stream.arguments = ["-sS", "-N", "--max-time", "60", "--cacert", stack.certificate, "-H", "Authorization: Bearer \(token)",
                                    "-o", output, stack.baseURL + path]
                try stream.run()
            }
            return ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").hasPrefix(": calcflow ")
        }
        return stream
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
