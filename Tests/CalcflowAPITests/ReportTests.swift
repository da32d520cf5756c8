import CalcflowTestSupport
import MariaDB
import Foundation
import JSON
import XCTest

final class ReportTests: StackTestCase {
    /// A finished calculation with an SCF history and a total energy.
    func finishedCalculation() throws -> (cluster: TestCluster, id: Int64) {
        let cluster = try makeCluster()
        let id = try XCTUnwrap(try createCalculation(cluster: cluster, name: "Si, \"quoted\" <b>name</b>")["id"]?.integerValue)
        XCTAssertEqual(try client.post("/api/v1/agent/claim", token: cluster.key).status, 200)
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/scf", body: (["step": "main", "data": [
            "converged": true, "iterations": 5, "energies": [-15.79, -15.83, -15.8412, -15.8414, -15.84142],
        ]] as JSON).serialized(), token: cluster.key).status, 204)
        XCTAssertEqual(try client.send("PUT", "/api/v1/agent/calculations/\(id)/analyses/total_energy", body: (["step": "main", "data": [
            "value": -215.53, "unit": "eV",
        ]] as JSON).serialized(), token: cluster.key).status, 204)
        XCTAssertEqual(try event(cluster, calculation: id, seq: 1, state: "succeeded").status, 204)
        return (cluster, id)
    }

    func testReportsComeAsJSONCSVAndASelfContainedHTMLPage() throws {
        let (_, id) = try finishedCalculation()
        let token = try adminToken()
        let json = try client.get("/api/v1/calculations/\(id)/report?format=json", token: token)
        XCTAssertEqual(json.status, 200)
        XCTAssertTrue(json.header("Content-Disposition")?.hasPrefix("attachment; filename=\"calculation-\(id)-") == true)
        XCTAssertEqual(json.json["calculation"]?["state"], "succeeded")
        XCTAssertEqual(json.json["analyses"]?.arrayValue?.count, 2)

        let csv = try client.get("/api/v1/calculations/\(id)/report?format=csv", token: token)
        XCTAssertEqual(csv.header("Content-Type"), "text/csv; charset=utf-8")
        let lines = csv.text.split(separator: "\r\n")
        XCTAssertEqual(lines.first, "calculation_id,calculation,analysis,step,path,index,value")
        XCTAssertTrue(lines.contains { $0.hasSuffix(",total_energy,main,value,,-215.53") }, csv.text)
        XCTAssertEqual(lines.filter { $0.contains(",scf,main,energies,") }.count, 5, "one row per SCF iteration")
        XCTAssertTrue(csv.text.contains("\"Si, \"\"quoted\"\" <b>name</b>\""), "CSV quoting")

        let html = try client.get("/api/v1/calculations/\(id)/report", token: token)
        XCTAssertEqual(html.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertTrue(html.text.contains("<svg"), "a chart of the SCF energies")
        XCTAssertTrue(html.text.contains("<polyline"))
        XCTAssertTrue(html.text.contains("Si, &quot;quoted&quot; &lt;b&gt;name&lt;/b&gt;"), "names are escaped")
        XCTAssertFalse(html.text.contains("<script"))
        XCTAssertFalse(html.text.contains("http://") && !html.text.contains("http://www.w3.org/2000/svg"), "nothing loads from elsewhere")
        XCTAssertEqual(try client.get("/api/v1/calculations/\(id)/report?format=pdf", token: token).status, 400)
    }

    func testTheExportStreamsOneRowPerCalculationInCSVAndJSONLines() throws {
        let first = try finishedCalculation()
        let second = try finishedCalculation()
        let token = try adminToken()
        let csv = try client.get("/api/v1/export/results?analysis=total_energy&format=csv", token: token)
        XCTAssertEqual(csv.status, 200)
        XCTAssertTrue(csv.header("Content-Disposition")?.contains("total_energy-results.csv") == true)
        let lines = csv.text.split(separator: "\r\n")
        XCTAssertEqual(lines.first, "calculation_id,calculation,engine,state,molecule_id,formula,cluster,step,parameters_json,unit,value,data_json")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(first.id),") && $0.contains(",eV,-215.53,") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(second.id),") })
        let jsonl = try client.get("/api/v1/export/results?analysis=scf&format=jsonl&state=succeeded", token: token)
        let records = try jsonl.text.split(separator: "\n").map { try JSON.parse(String($0)) }
        XCTAssertTrue(records.contains { $0["calculation_id"] == .integer(first.id) && $0["data"]?["iterations"] == 5 })
        XCTAssertTrue(records.allSatisfy { $0["state"] == "succeeded" })
        XCTAssertEqual(try client.get("/api/v1/export/results?format=csv", token: token).status, 400)
        XCTAssertEqual(try client.get("/api/v1/export/results?analysis=scf&format=xlsx", token: token).status, 400)
    }

    func testTheExportFiltersByEngineAndUsageSumsWallTimePerUserAndCluster() throws {
        let (cluster, id) = try finishedCalculation()
        let token = try adminToken()
        let qe = try client.get("/api/v1/export/results?analysis=total_energy&format=jsonl&engine=qe", token: token).text
        XCTAssertTrue(qe.contains("\"calculation_id\":\(id)"))
        XCTAssertEqual(try client.get("/api/v1/export/results?analysis=total_energy&format=jsonl&engine=xtb", token: token).text
            .split(separator: "\n").filter { $0.contains("\"calculation_id\":\(id),") }.count, 0)

        let usage = try client.get("/api/v1/usage", token: try createUser(role: "user").token)
        XCTAssertEqual(usage.status, 200, usage.description)
        let row = usage.json["by_cluster"]?.arrayValue?.first { $0["name"]?.stringValue == cluster.name }
        XCTAssertEqual(row?["finished"], 1)
        XCTAssertEqual(row?["succeeded"], 1)
        XCTAssertGreaterThanOrEqual(row?["wall_hours"]?.doubleValue ?? -1, 0)
        XCTAssertEqual(row?["cpu_hours"]?.doubleValue ?? -1, 0, accuracy: 1e-9, "no step reported a CPU time")
        XCTAssertTrue(usage.json["by_user"]?.arrayValue?.contains { $0["name"] == .string(stack.adminEmail) } == true)
        let future = try client.get("/api/v1/usage?since=2100-01-01T00:00:00Z", token: token)
        XCTAssertEqual(future.json["by_cluster"], [])
        XCTAssertEqual(try client.get("/api/v1/usage?since=yesterday", token: token).json["error"]?["field"], "since")
    }

    func testTheExportOfManyRowsArrivesWhole() throws {
        let cluster = try makeCluster()
        let database = try stack.database()
        // 1,200 results written straight to the table: three batches of the streaming query and more.
        let calculation = try XCTUnwrap(try createCalculation(cluster: cluster)["id"]?.integerValue)
        for batch in 0..<12 {
            let values = (0..<100).map { _ in "(?, 'bulk', ?, ?)" }.joined(separator: ", ")
            var parameters: [SQLValue] = []
            for index in 0..<100 {
                let step = batch * 100 + index
                parameters += [.integer(calculation), .text(String(format: "step-%05d", step)), .text("{\"value\": \(step)}")]
            }
            try database.execute("INSERT INTO calculation_analyses (calculation_id, name, step, data) VALUES \(values)", parameters)
        }
        let export = try client.get("/api/v1/export/results?analysis=bulk&format=jsonl", token: adminToken())
        let records = export.text.split(separator: "\n")
        XCTAssertEqual(records.count, 1_200)
        XCTAssertEqual(try JSON.parse(String(records.last!))["data"]?["value"], 1_199)
    }

    /// A filter that matches nothing in the first batches: the export reads on past them to the rows
    /// that match, and a CSV that matches nothing at all is its header, once.
    func testAFilteredExportReadsOnPastBatchesThatMatchNothing() throws {
        let cluster = try makeCluster()
        let database = try stack.database()
        let queued = try XCTUnwrap(try createCalculation(cluster: cluster, name: "still queued")["id"]?.integerValue)
        let finished = try XCTUnwrap(try createCalculation(cluster: cluster, name: "finished")["id"]?.integerValue)
        try database.execute(
            "INSERT INTO calculation_analyses (calculation_id, name, step, data) SELECT ?, 'sparse', LPAD(seq, 5, '0'), CONCAT('{\"value\": ', seq, '}') FROM seq_1_to_1200",
            [.integer(queued)])
        try database.execute(
            "INSERT INTO calculation_analyses (calculation_id, name, step, data) SELECT ?, 'sparse', LPAD(seq, 5, '0'), '{\"value\": -1}' FROM seq_1_to_3",
            [.integer(finished)])
        try database.execute("UPDATE calculations SET state = 'succeeded', finished_at = CURRENT_TIMESTAMP(6) WHERE id = ?", [.integer(finished)])
        let token = try adminToken()
        let records = try client.get("/api/v1/export/results?analysis=sparse&format=jsonl&state=succeeded", token: token).text.split(separator: "\n")
        XCTAssertEqual(records.count, 3, "the finished calculation's three, after 1,200 of the queued one")
        XCTAssertTrue(records.allSatisfy { $0.contains("\"calculation_id\":\(finished),") })
        let empty = try client.get("/api/v1/export/results?analysis=sparse&format=csv&state=failed", token: token).text
        XCTAssertEqual(empty, "calculation_id,calculation,engine,state,molecule_id,formula,cluster,step,parameters_json,data_json\r\n")
    }

    /// 100,000 results (about 30 MB of JSON lines) leave calcflow-api's peak memory where it was, give
    /// or take a few batches: the export is read and written in batches, never whole.
    func testTheExportStreamsInConstantMemory() throws {
        let cluster = try makeCluster()
        let database = try stack.database()
        let calculation = try XCTUnwrap(try createCalculation(cluster: cluster)["id"]?.integerValue)
        try database.execute(
            """
            INSERT INTO calculation_analyses (calculation_id, name, step, data)
            SELECT ?, 'huge', LPAD(seq, 7, '0'), CONCAT('{"value": ', seq, ', "note": "', REPEAT('x', 250), '"}') FROM seq_1_to_100000
            """, [.integer(calculation)])
        let token = try adminToken()
        _ = try client.get("/api/v1/export/results?analysis=bulk&format=jsonl", token: token)
        let before = try XCTUnwrap(stack.apiMemory("VmRSS"))
        let export = try client.get("/api/v1/export/results?analysis=huge&format=jsonl", token: token)
        XCTAssertEqual(export.status, 200)
        XCTAssertGreaterThan(export.raw.body.count, 28_000_000)
        XCTAssertEqual(export.text.split(separator: "\n").count, 100_000)
        let peak = try XCTUnwrap(stack.apiMemory("VmHWM"))
        XCTAssertLessThan(peak - before, 12_000, "peak memory grew by \(peak - before) kB for a \(export.raw.body.count / 1_000_000) MB export")
    }
}
