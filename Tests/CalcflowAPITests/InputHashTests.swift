import CalcflowTestSupport
import JSON
import XCTest

/// "The same input was already computed": calculations carry the SHA-256 of what they compute, and
/// the form can ask before creating.
final class InputHashTests: StackTestCase {
    override class var settings: [String: String] { ["maintenance_interval_ms": "200"] }

    func testTheSameInputHashesTheSameAnywhereAndIsFoundBeforeCreating() throws {
        let first = try makeCluster(), second = try makeCluster()
        let user = try createUser(role: "user")
        let original = try createCalculation(cluster: first, token: user.token, name: "Si on the first cluster")
        let hash = try XCTUnwrap(original["input_sha256"]?.stringValue)
        XCTAssertEqual(hash.count, 64)
        // Another cluster, name and priority: the same computation.
        let elsewhere = try createCalculation(cluster: second, token: user.token, name: "Si again", priority: -5)
        XCTAssertEqual(elsewhere["input_sha256"]?.stringValue, hash)

        var changed = calculationBody(cluster: first).objectValue ?? [:]
        changed["configuration"] = ["input": .string(Self.siliconInput.replacingOccurrences(of: "ecutwfc = 18.0", with: "ecutwfc = 24.0")),
                                    "pseudopotentials": ["Si.pz-vbc.UPF"]]
        let asked = try client.post("/api/v1/calculations/input-matches", .object(changed), token: user.token)
        XCTAssertEqual(asked.status, 200, asked.description)
        XCTAssertNotEqual(asked.json["input_sha256"]?.stringValue, hash)
        XCTAssertEqual(asked.json["items"], [], "nothing computed this input yet")

        let same = try client.post("/api/v1/calculations/input-matches", calculationBody(cluster: second, name: "whatever"), token: user.token)
        XCTAssertEqual(same.json["input_sha256"]?.stringValue, hash)
        // Other tests' calculations of the same silicon input may be listed too.
        let ours = [elsewhere["id"], original["id"]].compactMap { $0?.integerValue }
        XCTAssertEqual(same.json["items"]?.arrayValue?.compactMap { $0["id"]?.integerValue }.filter(ours.contains), ours, "newest first")
        XCTAssertEqual(same.json["items"]?.arrayValue?.first?["allowed_actions"], ["edit", "cancel", "rerun", "delete"])
        // The form's mistakes point at the field, as a create would.
        var broken = calculationBody(cluster: first).objectValue ?? [:]
        broken["configuration"] = ["input": "not a pw.x input"]
        XCTAssertEqual(try client.post("/api/v1/calculations/input-matches", .object(broken), token: user.token).json["error"]?["field"], "configuration.input")

        let listed = try client.get("/api/v1/calculations?input_sha256=\(hash)&limit=500", token: user.token).json["items"]?.arrayValue ?? []
        XCTAssertEqual(Set(listed.compactMap { $0["id"]?.integerValue }).intersection(ours), Set(ours))
        XCTAssertTrue(listed.allSatisfy { $0["input_sha256"]?.stringValue == hash })
        XCTAssertEqual(try client.get("/api/v1/calculations?input_sha256=xyz", token: user.token).json["error"]?["field"], "input_sha256")

        // An edit of what runs changes the hash; a rerun keeps it.
        let id = try XCTUnwrap(original["id"]?.integerValue)
        let edited = try client.patch("/api/v1/calculations/\(id)", ["configuration": changed["configuration"] ?? .null], token: user.token)
        XCTAssertEqual(edited.json["input_sha256"], asked.json["input_sha256"])
        let rerun = try client.post("/api/v1/calculations/\(try XCTUnwrap(elsewhere["id"]?.integerValue))/rerun", token: user.token)
        XCTAssertEqual(rerun.json["input_sha256"]?.stringValue, hash)
    }

    func testRowsFromBeforeTheHashAreFilledWithTheSameHash() throws {
        let cluster = try makeCluster()
        let created = try createCalculation(cluster: cluster)
        let id = try XCTUnwrap(created["id"]?.integerValue)
        let database = try stack.database()
        try database.execute("UPDATE calculations SET input_sha256 = NULL WHERE id = ?", [.integer(id)])
        try Deadline.wait(for: "the maintenance loop to fill the hash", seconds: 10) {
            try database.queryFirst("SELECT input_sha256 FROM calculations WHERE id = ?", [.integer(id)])?.string("input_sha256") != nil
        }
        XCTAssertEqual(try database.queryFirst("SELECT input_sha256 FROM calculations WHERE id = ?", [.integer(id)])?.string("input_sha256"),
                       created["input_sha256"]?.stringValue)
    }
}
