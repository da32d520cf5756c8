import CalcflowTestSupport
import Foundation
import JSON
import XCTest

/// The API under SIGTERM and under a MariaDB restart. Each test disturbs the stack, so the class
/// restarts what it stopped.
final class ResilienceTests: StackTestCase {
    func testMariaDBRestartedUnderTheAPIAndTheNextRequestSucceeds() throws {
        let session = try client.login(stack.adminEmail, stack.adminPassword)
        XCTAssertEqual(try client.get("/api/v1/users", token: session.token).status, 200)
        try stack.restartDatabase()
        // Every worker thread holds a connection the restart broke; each must reconnect on its own.
        for attempt in 1...20 {
            let response = try client.get("/api/v1/users", token: session.token)
            XCTAssertEqual(response.status, 200, "request \(attempt) after the restart: \(response)")
        }
        XCTAssertEqual(try client.get("/api/v1/healthz").status, 200)
        XCTAssertNoThrow(try client.login(stack.adminEmail, stack.adminPassword))
    }

    func testHealthIs503WhileTheDatabaseIsDown() throws {
        let healthy = try client.get("/api/v1/healthz")
        XCTAssertEqual(healthy.status, 200)
        XCTAssertEqual(healthy.json["database"], "ok")
        XCTAssertNil(healthy.json["galera"], "a single server is no Galera node: nothing to say of a cluster")
        try Shell.run("stop_pid '\(stack.directory)/run/mariadb.pid' MariaDB", environment: ["CALCFLOW_STATE_DIR": stack.directory])
        defer { _ = try? stack.restartDatabase() }
        let health = try client.get("/api/v1/healthz")
        XCTAssertEqual(health.status, 503)
        XCTAssertEqual(health.json["database"], "unreachable")
        let login = try client.post("/api/v1/auth/login", ["email": .string(stack.adminEmail), "password": .string(stack.adminPassword)])
        XCTAssertEqual(login.status, 503)
        XCTAssertEqual(login.errorCode, "unavailable")
        XCTAssertFalse(login.text.lowercased().contains("mysql") || login.text.lowercased().contains("socket"), "no database details reach the client")
    }

    func testSIGTERMLetsRequestsInFlightFinish() throws {
        // Logins take tens of milliseconds (argon2id): a burst keeps every thread busy when SIGTERM arrives.
        // One account each: the sign-in throttle counts one account's concurrent attempts from one address.
        let password = "a long enough password"
        var emails: [String] = []
        for _ in 0..<12 { emails.append(try createUser(role: "user", password: password).email) }
        let results = Ledger<(status: Int, code: String?)>()
        let group = DispatchGroup()
        let baseURL = stack.baseURL
        let certificate = stack.certificate
        for email in emails {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                let client = APIClient(baseURL: baseURL, certificate: certificate)
                let status = (try? client.post("/api/v1/auth/login", ["email": .string(email), "password": .string(password)]))
                results.record(status.map { ($0.status, $0.errorCode) } ?? (0, nil))
            }
        }
        Thread.sleep(forTimeInterval: 0.05)
        let exitStatus = try stack.terminateAPI()
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(exitStatus, 0, "a clean exit on SIGTERM")
        let statuses = results.all
        XCTAssertEqual(statuses.count, 12)
        XCTAssertGreaterThan(statuses.filter { $0.status == 200 }.count, 0, "requests in flight completed")
        for (status, code) in statuses where status != 200 {
            // Not yet accepted when the API stopped: nginx answers, in the envelope.
            XCTAssertEqual(status, 502, "\(status) \(code ?? "")")
            XCTAssertEqual(code, "unavailable")
        }
        XCTAssertTrue(stack.apiLog().contains("event=stopped"), "the API logged its clean stop")
        try stack.startAPI()
        try Deadline.wait(for: "the API to answer again") { try client.get("/api/v1/healthz").status == 200 }
    }
}
