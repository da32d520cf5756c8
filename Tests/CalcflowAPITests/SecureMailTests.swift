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
