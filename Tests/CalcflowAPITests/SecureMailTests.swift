import CalcflowTestSupport
import Foundation
import JSON
import MariaDB
import XCTest

/// Mail over TLS to a relay whose certificate is trusted through smtp_ca_file.
class MailOverTLSTestCase: StackTestCase {
    override class var smtpSink: Bool { true }
    override class var settings: [String: String] { ["mail_poll_ms": "100"] }

    func assertAFinishedCalculationsMailArrives() throws {
        let cluster = try makeCluster()
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Over TLS")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        try Deadline.wait(for: "the mail through TLS", seconds: 30) {
            stack.receivedMails().contains { $0.contains("To: \(stack.adminEmail)") && $0.contains("Over TLS (#\(id)) succeeded") }
        }
        let row = try stack.database().queryFirst("SELECT attempts, last_error FROM outbox WHERE calculation_id = ?", [.integer(id)])
        XCTAssertEqual(row?.int("attempts"), 1, "sent at the first attempt")
        XCTAssertTrue(row?.isNull("last_error") ?? false)
    }
}

/// smtps://: TLS from the first byte.
final class SMTPSMailTests: MailOverTLSTestCase {
    override class var mailSecurity: TestStack.MailSecurity { .smtps }

    func testMailCrossesImplicitTLS() throws {
        try assertAFinishedCalculationsMailArrives()
    }
}

/// smtp:// to a relay that requires STARTTLS: the connection is upgraded before the mail goes.
final class StartTLSMailTests: MailOverTLSTestCase {
    override class var mailSecurity: TestStack.MailSecurity { .startTLS }

    func testMailIsUpgradedWithSTARTTLS() throws {
        try assertAFinishedCalculationsMailArrives()
    }
}

/// smtp://user:pass@host: a relay that requires a login (as SendGrid's and Mailtrap's do), offered
/// only after STARTTLS.
final class LoginMailTests: MailOverTLSTestCase {
    override class var mailSecurity: TestStack.MailSecurity { .login(required: "apikey:SG.s3cret-key_1", given: "apikey:SG.s3cret-key_1") }

    func testMailGoesThroughARelayThatRequiresALogin() throws {
        try assertAFinishedCalculationsMailArrives()
    }
}

/// A wrong password: the mail is not lost, the outbox says why, and it is tried again later.
final class RefusedLoginMailTests: MailOverTLSTestCase {
    override class var mailSecurity: TestStack.MailSecurity { .login(required: "apikey:right", given: "apikey:wrong") }

    func testARefusedLoginIsRecordedAndTheMailKept() throws {
        let cluster = try makeCluster()
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Refused login")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "failed").status, 204)
        var row: Row?
        try Deadline.wait(for: "the refused attempt recorded", seconds: 30) {
            row = try stack.database().queryFirst("SELECT attempts, last_error, sent_at, failed_at, next_attempt_at > CURRENT_TIMESTAMP(6) AS later FROM outbox WHERE calculation_id = ?",
                                                  [.integer(id)])
            return (row?.int("attempts") ?? 0) >= 1
        }
        XCTAssertTrue(row?.string("last_error")?.lowercased().contains("login") ?? false, "the error names the login: \(row?.string("last_error") ?? "none")")
        XCTAssertTrue(row?.isNull("sent_at") ?? false)
        XCTAssertTrue(row?.isNull("failed_at") ?? false, "kept for another attempt")
        XCTAssertTrue(row?.bool("later") ?? false, "the next attempt waits")
        XCTAssertTrue(stack.receivedMails().isEmpty)
    }
}
