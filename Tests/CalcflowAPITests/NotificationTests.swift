@testable import CalcflowAPI
import CalcflowTestSupport
import Foundation
import HTTPClient
import JSON
import XCTest

/// Mail through a real SMTP sink (aiosmtpd), sent by the API's outbox sender.
final class NotificationTests: StackTestCase {
    override class var smtpSink: Bool { true }
    override class var settings: [String: String] { ["mail_poll_ms": "100", "maintenance_interval_ms": "200", "lost_after": "2", "mail_digest_window": "4"] }

    func mails(to address: String, subjectContaining text: String) -> [String] {
        stack.receivedMails().filter { $0.contains("To: \(address)") && $0.contains(text) }
    }

    func testRecipientsFollowTheirEmailLevels() throws {
        let cluster = try makeCluster()
        let infoUser = try createUser(role: "user")
        let errorUser = try createUser(role: "user")
        XCTAssertEqual(try client.patch("/api/v1/me", ["email_level": "ERROR"], token: errorUser.token).status, 200)
        let quietAdmin = try createUser(role: "admin")
        XCTAssertEqual(try client.patch("/api/v1/me", ["email_level": "NONE"], token: quietAdmin.token).status, 200)

        let succeeded = try XCTUnwrap(try createCalculation(cluster: cluster, token: infoUser.token, name: "Benzene SCF")["id"]?.integerValue)
        let failed = try XCTUnwrap(try createCalculation(cluster: cluster, token: errorUser.token, name: "Broken SCF")["id"]?.integerValue)
        let quiet = try XCTUnwrap(try createCalculation(cluster: cluster, token: errorUser.token, name: "Quiet SCF")["id"]?.integerValue)
        for _ in 0..<3 { XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200) }
        XCTAssertEqual(try event(cluster, calculation: succeeded, seq: 1, state: "succeeded").status, 204)
        XCTAssertEqual(try event(cluster, calculation: failed, seq: 1, state: "failed", message: "pw.x crashed").status, 204)
        XCTAssertEqual(try event(cluster, calculation: quiet, seq: 1, state: "succeeded").status, 204)

        try Deadline.wait(for: "the mails", seconds: 30) {
            mails(to: infoUser.email, subjectContaining: "Benzene SCF").count == 1
                && mails(to: errorUser.email, subjectContaining: "Broken SCF").count == 1
                && mails(to: stack.adminEmail, subjectContaining: "Quiet SCF").count == 1
        }
        let success = try XCTUnwrap(mails(to: infoUser.email, subjectContaining: "Benzene SCF").first)
        XCTAssertTrue(success.contains("Subject: [Calcflow] Benzene SCF (#\(succeeded)) succeeded"), success)
        XCTAssertTrue(success.contains("text/plain") && success.contains("text/html"), "two parts")
        XCTAssertTrue(SMTPSink.decodedBodies(success).contains("/#/calculations/\(succeeded)"), "a link to the calculation")
        // ERROR level: the failure, not the success.
        XCTAssertEqual(mails(to: errorUser.email, subjectContaining: "Quiet SCF").count, 0)
        XCTAssertTrue(mails(to: errorUser.email, subjectContaining: "Broken SCF").first?.contains("failed") == true)
        // Admins get everything at their own level; the NONE admin gets nothing.
        XCTAssertEqual(mails(to: stack.adminEmail, subjectContaining: "Benzene SCF").count, 1)
        XCTAssertEqual(mails(to: stack.adminEmail, subjectContaining: "Broken SCF").count, 1)
        XCTAssertEqual(stack.receivedMails().filter { $0.contains("To: \(quietAdmin.email)") }.count, 0)
        let sent = try stack.database().query("SELECT COUNT(*) AS sent FROM outbox WHERE sent_at IS NOT NULL AND calculation_id IN (?, ?, ?)",
                                              [.integer(succeeded), .integer(failed), .integer(quiet)])
        XCTAssertEqual(sent.first?.int("sent"), Int64(stack.receivedMails().filter { $0.contains("SCF (#") && ($0.contains("#\(succeeded))") || $0.contains("#\(failed))") || $0.contains("#\(quiet))")) }.count))
    }

    /// A campaign's mails: the twelve that waited together come as one digest to each person, and
    /// the next ones wait out the digest window, then go one by one again.
    func testACampaignsMailsComeAsOneDigestAndTheNextWaitForTheWindow() throws {
        let cluster = try makeCluster()
        let scientist = try createUser(role: "user")
        // No sender for a while, as when a burst finishes faster than mail goes out.
        try stack.restartAPI(settings: ["mail_poll_ms": "60000"])
        var ids: [Int64] = []
        for index in 0..<12 {
            ids.append(try XCTUnwrap(try createCalculation(cluster: cluster, token: scientist.token, name: "Screen \(index)")["id"]?.integerValue))
        }
        for _ in ids { XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200) }
        for (index, id) in ids.enumerated() {
            XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: index < 10 ? "succeeded" : "failed").status, 204)
        }
        try stack.restartAPI(settings: ["mail_poll_ms": "100"])
        try Deadline.wait(for: "the digest", seconds: 30) { !mails(to: scientist.email, subjectContaining: "12 calculations").isEmpty }
        let digestSeenAt = Date()
        let digest = try XCTUnwrap(mails(to: scientist.email, subjectContaining: "12 calculations").first)
        XCTAssertTrue(digest.contains("Subject: [Calcflow] 12 calculations: 10 succeeded, 2 failed"), digest)
        let body = SMTPSink.decodedBodies(digest)
        for (index, id) in ids.enumerated() {
            XCTAssertTrue(body.contains("Screen \(index) (#\(id))") && body.contains("/#/calculations/\(id)"), "calculation \(id) listed with its link")
        }
        XCTAssertEqual(mails(to: scientist.email, subjectContaining: "Screen ").count, 0, "none of the twelve alone")
        XCTAssertEqual(mails(to: stack.adminEmail, subjectContaining: "12 calculations").count, 1, "the admin's own digest")

        let late = try XCTUnwrap(try createCalculation(cluster: cluster, token: scientist.token, name: "Straggler")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try event(cluster, calculation: late, seq: 1, state: "succeeded").status, 204)
        try Deadline.wait(for: "the straggler's own mail", seconds: 30) { mails(to: scientist.email, subjectContaining: "Straggler (#\(late))").count == 1 }
        XCTAssertGreaterThan(Date().timeIntervalSince(digestSeenAt), 3, "it waited for the window (4 s) after the digest")
        let held = try stack.database().queryFirst("SELECT COUNT(*) AS n FROM outbox WHERE digest_id IS NOT NULL AND calculation_id IN (\(ids.map(String.init).joined(separator: ",")))")
        XCTAssertEqual(held?.int("n"), 24, "each of the twelve mails of both people in a digest")
    }

    /// Mails leave the outbox after mail_retention_days (30), sent or never sent; younger ones stay.
    func testMailsOlderThanTheRetentionLeaveTheOutbox() throws {
        let tag = UUID().uuidString.prefix(8)
        let database = try stack.database()
        for (days, sent) in [(40, true), (31, false), (29, true), (0, false)] {
            // Not due for a day: the sender leaves them alone, only the retention acts.
            try database.execute(
                """
                INSERT INTO outbox (kind, recipient, subject, text_body, html_body, created_at, sent_at, next_attempt_at)
                VALUES ('succeeded', 'kept@example.org', ?, 'text', '<p>html</p>', CURRENT_TIMESTAMP(6) - INTERVAL ? DAY,
                        IF(?, CURRENT_TIMESTAMP(6) - INTERVAL ? DAY, NULL), CURRENT_TIMESTAMP(6) + INTERVAL 1 DAY)
                """, [.text("retention \(tag) \(days)"), .integer(Int64(days)), .integer(sent ? 1 : 0), .integer(Int64(days))])
        }
        func remaining() throws -> [String] {
            try database.query("SELECT subject FROM outbox WHERE subject LIKE ? ORDER BY id", [.text("retention \(tag) %")]).compactMap { $0.string("subject") }
        }
        try Deadline.wait(for: "the maintenance job to prune", seconds: 15, interval: 0.2) { try remaining().count == 2 }
        XCTAssertEqual(try remaining(), ["retention \(tag) 29", "retention \(tag) 0"])
    }

    func testModeratorsAreAskedToApprove() throws {
        let cluster = try makeCluster(requiresApproval: true)
        let moderator = try createUser(role: "moderator")
        let user = try createUser(role: "user")
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token, name: "Needs a nod")["id"]?.integerValue)
        try Deadline.wait(for: "the approval mail", seconds: 30) {
            mails(to: moderator.email, subjectContaining: "Needs a nod (#\(id)) needs approval").count == 1
        }
        XCTAssertEqual(mails(to: user.email, subjectContaining: "Needs a nod").count, 0, "the creator is not asked")
    }

    func testASilentClusterLosesItsRunAndGetsItBackWhenTheAgentReturns() throws {
        let cluster = try makeCluster()
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Long run")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try heartbeat(cluster, running: [id]).status, 200)
        try Deadline.wait(for: "the run to be declared lost", seconds: 20) {
            try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["reason"] == "lost"
        }
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "failed")
        try Deadline.wait(for: "the ERROR mail", seconds: 30) {
            mails(to: stack.adminEmail, subjectContaining: "Long run (#\(id)) was lost").count == 1
        }
        XCTAssertEqual(try heartbeat(cluster, running: [id]).status, 200)
        let back = try client.get("/api/v1/calculations/\(id)", token: adminToken()).json
        XCTAssertEqual(back["state"], "running", "the agent still runs it")
        XCTAssertEqual(back["reason"], .null)
    }

    /// A claim shows the agent alive: a cluster silent for an hour that claims is not declared lost at
    /// once (make bench's cluster, heartbeating only later, lost its first claim that way).
    func testAClaimAfterALongSilenceIsNotLostUntilItTooIsSilentThatLong() throws {
        let cluster = try makeCluster()
        XCTAssertEqual(try heartbeat(cluster).status, 200)
        try stack.database().execute("UPDATE clusters SET last_seen_at = CURRENT_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE id = ?", [.integer(cluster.id)])
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, name: "After a pause")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "running",
                       "the lost-run check ran five times in that second; the claim is younger than lost_after")
        try Deadline.wait(for: "the run to be declared lost once it too was silent for lost_after", seconds: 20) {
            try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["reason"] == "lost"
        }
    }

    /// A heartbeating agent that does not list a calculation it took does not have it. One it never said
    /// a word of (the claim's answer never reached it) goes back to the queue, as nothing of it ran; one
    /// it reported on and then dropped is declared lost. Neither is left running for ever, and another
    /// agent's of the same cluster (its own key) is not this agent's to judge.
    func testARunItsAgentDoesNotListIsRequeuedOrLostAndOneItListsOrAnotherAgentHasIsNot() throws {
        let cluster = try makeCluster()
        let secondKey = try client.post("/api/v1/clusters/\(cluster.id)/keys", ["label": "second agent"], token: adminToken())
        let secondAgent = TestCluster(id: cluster.id, name: cluster.name, key: try XCTUnwrap(secondKey.json["key"]?.stringValue))
        let kept = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Kept")["id"]?.integerValue)
        let dropped = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Dropped")["id"]?.integerValue)
        let unreceived = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Never arrived")["id"]?.integerValue)
        let others = try XCTUnwrap(try createCalculation(cluster: cluster, name: "The other agent's")["id"]?.integerValue)
        XCTAssertEqual(Set(try (0..<3).map { _ in try client.post("/api/v1/agent/claim", token: cluster.key) }.compactMap { $0.json["id"]?.integerValue }),
                       [kept, dropped, unreceived])
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: secondAgent.key).json["id"]?.integerValue, others)
        XCTAssertEqual(try event(cluster, calculation: dropped, seq: 1, message: "started").status, 204)
        XCTAssertEqual(try heartbeat(cluster, running: [kept]).status, 200)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(unreceived)", token: adminToken()).json["state"], "running",
                       "claimed a moment ago: its answer may still be on its way")
        try Deadline.wait(for: "the unlisted runs to be settled", seconds: 20) {
            _ = try heartbeat(cluster, running: [kept])
            return try client.get("/api/v1/calculations/\(dropped)", token: adminToken()).json["reason"] == "lost"
        }
        let back = try client.get("/api/v1/calculations/\(unreceived)", token: adminToken()).json
        XCTAssertEqual(back["state"], "queued", "never received: back in the queue, \(back.serializedString())")
        XCTAssertEqual(back["processed"], false)
        XCTAssertEqual(try client.get("/api/v1/calculations/\(kept)", token: adminToken()).json["state"], "running", "listed: it runs")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(others)", token: adminToken()).json["state"], "running",
                       "the other agent's: only its own heartbeats judge it")
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: secondAgent.key).json["id"]?.integerValue, unreceived,
                       "claimable again, by any agent of the cluster")
        XCTAssertTrue(mails(to: stack.adminEmail, subjectContaining: "Never arrived").isEmpty, "nothing was lost: no mail")
    }

    /// Several senders at once (an API host each), as on a Galera cluster: each mail goes out once.
    func testFourSendersAtOnceSendEachMailOnce() throws {
        let tag = UUID().uuidString.prefix(8)
        let database = try stack.database()
        for index in 0..<24 {
            try database.execute("INSERT INTO outbox (kind, recipient, subject, text_body, html_body) VALUES ('succeeded', ?, ?, 'text', '<p>html</p>')",
                                 [.text("racer-\(index)@example.org"), .text("race \(tag) \(index)")])
        }
        let stack = self.stack!
        let url = "smtp://localhost:\(stack.httpsPort + 3)"
        let group = DispatchGroup()
        for host in 0..<3 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? stack.database() else { return }
                let sender = MailSender(transport: MailTransport(url: url, certificateAuthorityFile: nil), from: "calcflow@localhost", holder: "host-\(host)")
                for _ in 0..<10 { _ = try? sender.sendDue(on: connection, limit: 5) }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        try Deadline.wait(for: "every mail of the race", seconds: 30) {
            stack.receivedMails().filter { $0.contains("race \(tag) ") }.count >= 24
        }
        Thread.sleep(forTimeInterval: 1)
        for index in 0..<24 {
            XCTAssertEqual(stack.receivedMails().filter { $0.contains("Subject: race \(tag) \(index)\r") || $0.contains("Subject: race \(tag) \(index)\n") }.count, 1,
                           "mail \(index) once, whichever of the four senders took it")
        }
        let unsent = try database.queryFirst("SELECT COUNT(*) AS n FROM outbox WHERE subject LIKE ? AND sent_at IS NULL", [.text("race \(tag) %")])
        XCTAssertEqual(unsent?.int("n"), 0)
    }

    func testTheOutboxSurvivesAKillBetweenCommitAndSend() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        // A sender that waits a minute between rounds: the mail is committed but not yet sent when the API dies.
        try stack.restartAPI(settings: ["mail_poll_ms": "60000"])
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, token: user.token, name: "Killed before send")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        let pending = try stack.database().queryFirst("SELECT COUNT(*) AS pending FROM outbox WHERE calculation_id = ? AND sent_at IS NULL", [.integer(id)])
        XCTAssertEqual(pending?.int("pending"), 2, "the creator and the admin, committed with the state change")
        try stack.killAPI()
        XCTAssertEqual(mails(to: user.email, subjectContaining: "Killed before send").count, 0)
        try stack.restartAPI(settings: ["mail_poll_ms": "100"])
        try Deadline.wait(for: "the mail after the restart", seconds: 30) {
            mails(to: user.email, subjectContaining: "Killed before send").count == 1
        }
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(mails(to: user.email, subjectContaining: "Killed before send").count, 1, "once")
        XCTAssertEqual(mails(to: stack.adminEmail, subjectContaining: "Killed before send").count, 1, "once")
    }
}
