import CalcflowTestSupport
import Foundation
import HTTPClient
import JSON
import MariaDB
import XCTest

/// A security reviewer's findings, each as the request that got through before.
final class HardeningTests: StackTestCase {
    static let commandEngines: JSON = ["engines": [
        ["name": "command", "version": "/bin/sh", "analyses": [["name": "exit_status", "requires": []]]],
        ["name": "xtb", "version": "6.5.1", "analyses": [["name": "scf", "requires": []], ["name": "total_energy", "requires": ["scf"]]]],
        ["name": "qe", "version": "6.7", "analyses": [["name": "scf", "requires": []], ["name": "total_energy", "requires": ["scf"]]]],
    ]]

    static let water = "3\nwater\nO 0.0 0.0 0.117\nH 0.0 0.757 -0.467\nH 0.0 -0.757 -0.467\n"

    func commandBody(_ cluster: TestCluster) -> JSON {
        ["name": "echo", "cluster_id": .integer(cluster.id), "engine": "command", "analyses": ["exit_status"],
         "configuration": ["script": "echo $((1 + 3)) > result.txt"]]
    }

    func approvalMails(_ id: Int64) throws -> Int64 {
        try stack.database().queryFirst("SELECT COUNT(DISTINCT created_at) AS mails FROM outbox WHERE calculation_id = ? AND kind = 'approval_needed'",
                                        [.integer(id)])?.int("mails") ?? 0
    }

    func testAUsersCommandCalculationWaitsForApprovalOnAClusterThatAsksForNone() throws {
        let cluster = try makeCluster(engines: Self.commandEngines)
        let user = try createUser(role: "user")
        let created = try client.post("/api/v1/calculations", commandBody(cluster), token: user.token)
        XCTAssertEqual(created.status, 201, created.description)
        XCTAssertEqual(created.json["state"], "pending_approval")
        XCTAssertTrue(created.json["reason"]?.stringValue?.contains("runs its script as the agent's user") == true, created.description)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 204, "nothing runs before approval")
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/approve", token: createUser(role: "moderator").token).json["state"], "queued")
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        let moderators = try client.post("/api/v1/calculations", commandBody(cluster), token: createUser(role: "moderator").token)
        XCTAssertEqual(moderators.json["state"], "queued")
    }

    func testAUsersEditOfWhatRunsSendsAnApprovedCalculationBackForApproval() throws {
        let cluster = try makeCluster(requiresApproval: true)
        let user = try createUser(role: "user")
        let moderator = try createUser(role: "moderator")
        let id = try XCTUnwrap(createCalculation(cluster: cluster, token: user.token)["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/approve", token: moderator.token).json["state"], "queued")
        // A rename changes nothing that runs.
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["name": "renamed"], token: user.token).json["state"], "queued")
        let edited = try client.patch("/api/v1/calculations/\(id)", ["configuration": [
            "input": .string(Self.siliconInput.replacingOccurrences(of: "ecutwfc = 18.0", with: "ecutwfc = 30.0")),
            "pseudopotentials": ["Si.pz-vbc.UPF"]]], token: user.token)
        XCTAssertEqual(edited.status, 200, edited.description)
        XCTAssertEqual(edited.json["state"], "pending_approval")
        XCTAssertEqual(edited.json["approved"], false)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 204, "the edit is not claimable unapproved")
        XCTAssertEqual(try approvalMails(id), 2, "the approvers are mailed again")
        XCTAssertEqual(try client.post("/api/v1/calculations/\(id)/approve", token: moderator.token).json["state"], "queued")
        let byModerator = try client.patch("/api/v1/calculations/\(id)", ["analyses": ["scf"]], token: moderator.token)
        XCTAssertEqual(byModerator.json["state"], "queued", "a moderator's edit keeps it approved")
    }

    func testMovingAUsersCalculationOntoAnApprovalClusterNeedsApproval() throws {
        let open = try makeCluster()
        let guarded = try makeCluster(requiresApproval: true)
        let user = try createUser(role: "user")
        let created = try createCalculation(cluster: open, token: user.token)
        XCTAssertEqual(created["state"], "queued")
        let moved = try client.patch("/api/v1/calculations/\(try XCTUnwrap(created["id"]?.integerValue))", ["cluster_id": .integer(guarded.id)], token: user.token)
        XCTAssertEqual(moved.json["state"], "pending_approval", moved.description)
        XCTAssertTrue(moved.json["reason"]?.stringValue?.contains(guarded.name) == true)
    }

    func molecule(_ token: String, name: String = "water") throws -> Int64 {
        let created = try client.post("/api/v1/molecules", ["name": .string(name), "structure": ["format": "xyz", "text": .string(Self.water)]], token: token)
        XCTAssertEqual(created.status, 201, created.description)
        return try XCTUnwrap(created.json["id"]?.integerValue)
    }

    func testOnlyAMoleculesCreatorOrAModeratorChangesIt() throws {
        let owner = try createUser(role: "user")
        let other = try createUser(role: "user")
        let id = try molecule(owner.token)
        XCTAssertEqual(try client.patch("/api/v1/molecules/\(id)", ["notes": "mine now"], token: other.token).status, 403)
        XCTAssertEqual(try client.delete("/api/v1/molecules/\(id)", token: other.token).status, 403)
        XCTAssertEqual(try client.patch("/api/v1/molecules/\(id)", ["notes": "checked"], token: owner.token).status, 200)
        XCTAssertEqual(try client.patch("/api/v1/molecules/\(id)", ["notes": "reviewed"], token: createUser(role: "moderator").token).status, 200)
        let formula = try client.patch("/api/v1/molecules/\(id)", ["formula": "H2O2"], token: owner.token)
        XCTAssertEqual(formula.status, 400)
        XCTAssertEqual(formula.json["error"]?["field"], "formula")
        XCTAssertTrue(formula.json["error"]?["message"]?.stringValue?.contains("derived from the structure") == true)
        XCTAssertEqual(try client.delete("/api/v1/molecules/\(id)", token: owner.token).status, 204)
    }

    func testAClaimSendsTheStructureTheCalculationWasCreatedWith() throws {
        let cluster = try makeCluster(engines: Self.commandEngines)
        let user = try createUser(role: "user")
        let moleculeID = try molecule(user.token)
        let created = try client.post("/api/v1/calculations", ["name": "water sp", "cluster_id": .integer(cluster.id), "engine": "xtb",
                                                               "molecule_id": .integer(moleculeID), "analyses": ["scf"], "configuration": ["task": "sp"]],
                                      token: user.token)
        XCTAssertEqual(created.status, 201, created.description)
        let moved = Self.water.replacingOccurrences(of: "0.117", with: "0.500")
        XCTAssertEqual(try client.patch("/api/v1/molecules/\(moleculeID)", ["structure": ["format": "xyz", "text": .string(moved)]], token: user.token).status, 200)
        let claim = try client.post("/api/v1/agent/claim", token: cluster.key)
        XCTAssertEqual(claim.json["id"], created.json["id"])
        XCTAssertEqual(claim.json["molecule"]?["structure"]?["text"]?.stringValue, Self.water, "the structure as created, not as edited since")
    }

    func testAUserMayStepBackButNotPushAhead() throws {
        let cluster = try makeCluster()
        let user = try createUser(role: "user")
        var body = calculationBody(cluster: cluster, priority: 5).objectValue ?? [:]
        let ahead = try client.post("/api/v1/calculations", .object(body), token: user.token)
        XCTAssertEqual(ahead.status, 400)
        XCTAssertEqual(ahead.json["error"]?["field"], "priority")
        body["priority"] = -5
        let back = try client.post("/api/v1/calculations", .object(body), token: user.token)
        XCTAssertEqual(back.status, 201)
        let id = try XCTUnwrap(back.json["id"]?.integerValue)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["priority": 1], token: user.token).status, 400)
        XCTAssertEqual(try client.patch("/api/v1/calculations/\(id)", ["priority": 50], token: createUser(role: "moderator").token).json["priority"], 50)
    }

    func testNamesWithControlCharactersAreRefusedNamingTheField() throws {
        let cluster = try makeCluster()
        let admin = try adminToken()
        let header = "x\r\nBcc: someone@else"
        var body = calculationBody(cluster: cluster).objectValue ?? [:]
        body["name"] = .string(header)
        let calculation = try client.post("/api/v1/calculations", .object(body), token: admin)
        XCTAssertEqual(calculation.status, 400)
        XCTAssertEqual(calculation.json["error"]?["field"], "name")
        let molecule = try client.post("/api/v1/molecules", ["name": .string(header), "structure": ["text": .string(Self.water)]], token: admin)
        XCTAssertEqual(molecule.json["error"]?["field"], "name")
        XCTAssertEqual(try client.post("/api/v1/clusters", ["name": "hpc\n"], token: admin).json["error"]?["field"], "name")
        let user = try client.post("/api/v1/users", ["email": "cr@calcflow.test", "name": .string(header), "password": "a long enough password"], token: admin)
        XCTAssertEqual(user.json["error"]?["field"], "name")
        XCTAssertEqual(try client.patch("/api/v1/me", ["name": "Ada\u{2028}Lovelace"], token: admin).json["error"]?["field"], "name")
    }

    func testAMailSubjectCannotCarryAHeaderAndNonASCIIIsEncoded() {
        let mail = MailMessage(from: "Calcflow <calcflow@localhost>", to: "ada@example.org", subject: "x\r\nBcc: someone@else",
                               text: "t", html: "h", messageID: "1@calcflow")
        let headers = String(decoding: mail.mime(), as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        XCTAssertFalse(headers.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") }, headers)
        let accented = MailMessage(from: "c@localhost", to: "ada@example.org", subject: "Énergie de l'eau: calcul terminé", text: "", html: "", messageID: "2@c")
        let subject = String(decoding: accented.mime(), as: UTF8.self).components(separatedBy: "\r\n").first { $0.hasPrefix("Subject:") } ?? ""
        XCTAssertTrue(subject.hasPrefix("Subject: =?UTF-8?B?"), subject)
    }

    func testACSVReportQuotesFormulasAndKeepsNumbers() throws {
        let cluster = try makeCluster()
        let token = try adminToken()
        let created = try client.post("/api/v1/calculations", calculationBody(cluster: cluster, name: "=HYPERLINK(\"http://evil\")"), token: token)
        let id = try XCTUnwrap(created.json["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).json["id"]?.integerValue, id)
        let put = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                  body: (["data": ["value": -1.5, "unit": "eV"]] as JSON).serialized(), token: cluster.key)
        XCTAssertEqual(put.status, 204, put.description)
        let csv = try client.get("/api/v1/calculations/\(id)/report?format=csv", token: token).text
        let row = try XCTUnwrap(csv.components(separatedBy: "\r\n").first { $0.contains("value") && $0.hasPrefix("\(id),") }, csv)
        XCTAssertTrue(row.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), row)
        XCTAssertTrue(row.hasSuffix(",-1.5"), row)
    }

    func testChangingOnesOwnPasswordThroughTheUsersRouteNeedsTheCurrentOne() throws {
        let user = try createUser(role: "user", password: "the first long password")
        let missing = try client.patch("/api/v1/users/\(user.id)", ["password": "a stolen token's choice"], token: user.token)
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(missing.json["error"]?["field"], "current_password")
        let wrong = try client.patch("/api/v1/users/\(user.id)", ["password": "a stolen token's choice", "current_password": "a guess"], token: user.token)
        XCTAssertEqual(wrong.json["error"]?["field"], "current_password")
        let failures = try stack.database().queryFirst("SELECT COUNT(*) AS failures FROM login_failures WHERE email = ?", [.text(user.email)])
        XCTAssertEqual(failures?.int("failures"), 1, "a wrong current password counts toward the sign-in throttle")
        let right = try client.patch("/api/v1/users/\(user.id)", ["password": "the second long password", "current_password": "the first long password"],
                                     token: user.token)
        XCTAssertEqual(right.status, 200, right.description)
        XCTAssertNoThrow(try client.login(user.email, "the second long password"))
        let byAdmin = try client.patch("/api/v1/users/\(user.id)", ["password": "the third long password"], token: adminToken())
        XCTAssertEqual(byAdmin.status, 200, "an admin resets another's password without knowing it")
    }

    func testEventsAndUploadsBeforeTheClaimAreAConflict() throws {
        let cluster = try makeCluster()
        let other = try makeCluster()
        let id = try XCTUnwrap(createCalculation(cluster: cluster)["id"]?.integerValue)
        let early = try event(cluster, calculation: id, seq: 1, state: "succeeded")
        XCTAssertEqual(early.status, 409, early.description)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 2).status, 409, "a progress event too")
        let upload = try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy",
                                     body: (["data": ["value": -1.0]] as JSON).serialized(), token: cluster.key)
        XCTAssertEqual(upload.status, 409)
        XCTAssertEqual(try event(other, calculation: id, seq: 1).status, 404, "another cluster learns nothing of it")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)", token: adminToken()).json["state"], "queued")
    }

    func testAnEmptyAnalysesListIsACalculationStill() throws {
        let cluster = try makeCluster()
        let created = try client.post("/api/v1/calculations", calculationBody(cluster: cluster, analyses: []), token: adminToken())
        XCTAssertEqual(created.status, 201, created.description)
        XCTAssertEqual(created.json["analyses"], [])
    }

    func testStepsAndInputsCannotLeaveTheirFolder() throws {
        let cluster = try makeCluster()
        let token = try adminToken()
        var body = calculationBody(cluster: cluster).objectValue ?? [:]
        body["steps"] = [["name": ".."]]
        XCTAssertEqual(try client.post("/api/v1/calculations", .object(body), token: token).json["error"]?["field"], "steps[0].name")
        body["steps"] = nil
        body["configuration"] = ["input": .string(Self.siliconInput.replacingOccurrences(of: "calculation = 'scf'", with: "calculation='scf', outdir='/elsewhere/'")),
                                 "pseudopotentials": ["Si.pz-vbc.UPF"]]
        let outdir = try client.post("/api/v1/calculations", .object(body), token: token)
        XCTAssertEqual(outdir.status, 400)
        XCTAssertEqual(outdir.json["error"]?["field"], "configuration.input")
        XCTAssertTrue(outdir.json["error"]?["message"]?.stringValue?.contains("outdir") == true)
    }

    func testNginxsOwnErrorsOnAPIRoutesAreTheJSONEnvelope() throws {
        let nul = try client.get("/api/v1/calculations/1%00")
        XCTAssertEqual(nul.status, 400)
        XCTAssertEqual(nul.errorCode, "bad_request", nul.description)
        let unknown = try client.get("/api/nothing-here")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.errorCode, "not_found", unknown.description)
        let long = try client.get("/api/v1/calculations?q=" + String(repeating: "a", count: 20_000))
        XCTAssertEqual(long.status, 414)
        XCTAssertEqual(long.errorCode, "too_large", long.description)
    }

    func testTheFastCGISocketsAreNotWorldWritable() throws {
        for name in ["api.sock", "api-stream.sock"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: stack.directory + "/run/" + name)
            let mode = try XCTUnwrap(attributes[.posixPermissions] as? Int)
            XCTAssertEqual(mode & 0o777, 0o660, name)
        }
    }

    func testLoggedRequestValuesCannotForgeALogLine() throws {
        let forged = "nobody@calcflow.test\nevent=login user=1"
        XCTAssertEqual(try client.post("/api/v1/auth/login", ["email": .string(forged), "password": "wrong password"]).status, 401)
        try Deadline.wait(for: "the failed sign-in in the log", seconds: 5) { stack.apiLog().contains("login_failed") }
        let lines = stack.apiLog().components(separatedBy: "\n")
        XCTAssertFalse(lines.contains { $0.hasPrefix("event=login user=1") || $0.contains(" event=login user=1") }, "no line of the attacker's making")
        XCTAssertTrue(lines.contains { $0.contains("email=\"nobody@calcflow.test\\nevent=login user=1\"") }, lines.filter { $0.contains("login_failed") }.joined(separator: "\n"))
    }
}
