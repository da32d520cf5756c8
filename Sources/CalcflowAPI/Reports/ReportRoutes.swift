import CalcflowCore
import JSON
import MariaDB

/// Downloadable reports of one calculation, and the training-data export of one analysis.
enum ReportRoutes {
    static var routes: [Route] {
        [
            Route("GET", "/api/v1/calculations/{id}/report", access: .anyUser, handler: report),
            Route("GET", "/api/v1/export/results", access: .anyUser, handler: export),
        ]
    }

    static func fileName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(60))
    }

    @Sendable static func report(_ context: RequestContext) throws -> Response {
        let format = context.request.query["format"] ?? "html"
        let (calculations, calculation) = try CalculationRoutes.calculation(context)
        var events: [JSON] = []
        var page = PageRequest(limit: PageRequest.maximumLimit)
        while true {
            let batch = try calculations.events(calculationID: calculation.id, page: page)
            events += batch.map(\.json)
            guard batch.count == page.limit, let last = batch.last else { break }
            page.afterID = last.id
        }
        let report = CalculationReport(calculation: calculation, events: events, analyses: try calculations.analyses(calculationID: calculation.id))
        let name = "calculation-\(calculation.id)-\(fileName(calculation.name))"
        let body: [UInt8]
        let type: String
        switch format {
        case "json": body = report.json.serialized(); type = "application/json; charset=utf-8"
        case "csv": body = Array(report.csv.utf8); type = "text/csv; charset=utf-8"
        case "html": body = Array(report.html.utf8); type = "text/html; charset=utf-8"
        default: throw ValidationError(field: "format", message: "must be json, csv or html")
        }
        return Response(status: 200, headers: [
            ("Content-Type", type), ("Content-Disposition", "attachment; filename=\"\(name).\(format)\""),
            // The html report is a document of its own: no script may run in it.
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
        ], body: body)
    }

    @Sendable static func export(_ context: RequestContext) throws -> Response {
        guard let analysis = context.request.query["analysis"], !analysis.isEmpty, analysis.count <= 64 else {
            throw ValidationError(field: "analysis", message: "is required, e.g. ?analysis=total_energy")
        }
        let format = context.request.query["format"] ?? "csv"
        guard format == "csv" || format == "jsonl" else { throw ValidationError(field: "format", message: "must be csv or jsonl") }
        let state = context.request.query["state"]
        if let state, CalculationState(rawValue: state) == nil { throw ValidationError(field: "state", message: "is not a calculation state") }
        let engine = context.request.query["engine"].flatMap { $0.isEmpty ? nil : $0 }
        let database = try context.database()
        let output = context.stream
        output.start(headers: [
            ("Content-Type", format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8"),
            ("Content-Disposition", "attachment; filename=\"\(fileName(analysis))-results.\(format)\""),
        ])
        var columns: [String]?
        var after: (id: Int64, step: String) = (0, "")
        var withinCalculation = false
        let batchSize = 500
        while output.isConnected {
            let batch = try ExportBatch.read(database, analysis: analysis, state: state, engine: engine, after: after, withinCalculation: withinCalculation, limit: batchSize)
            var chunk = ""
            for row in batch.rows {
                let step = row.step
                let data = row.data.flatMap { try? JSON.parse($0) } ?? .null
                let parameters = (row.calculation.string("steps").flatMap { try? JSON.parse($0) }?.arrayValue ?? [])
                    .first { $0["name"]?.stringValue == step }?["parameters"] ?? .object([:])
                let record: [String: JSON] = [
                    "calculation_id": JSON(row.calculation.int("id")), "calculation": JSON(row.calculation.string("name")), "engine": JSON(row.calculation.string("engine")),
                    "state": JSON(row.calculation.string("state")), "molecule_id": JSON(row.calculation.int("molecule_id")), "formula": JSON(row.calculation.string("formula")),
                    "cluster": JSON(row.calculation.string("cluster")), "step": .string(step), "parameters": parameters, "data": data,
                ]
                if format == "jsonl" {
                    chunk += JSON.object(record).serializedString() + "\n"
                } else {
                    let scalars = ReportTable.flatten(data).scalars
                    if columns == nil {
                        // The scalar fields of the first row name the value columns; data_json holds everything.
                        columns = scalars.map(\.path)
                        chunk += csvHeader(valueColumns: columns ?? [])
                    }
                    let values = Dictionary(scalars.map { ($0.path, $0.value) }, uniquingKeysWith: { first, _ in first })
                    chunk += ReportTable.csvLine([String(row.calculation.int("id") ?? 0), row.calculation.string("name") ?? "", row.calculation.string("engine") ?? "", row.calculation.string("state") ?? "",
                                                  row.calculation.int("molecule_id").map(String.init) ?? "", row.calculation.string("formula") ?? "", row.calculation.string("cluster") ?? "",
                                                  step, parameters.serializedString()] + (columns ?? []).map { values[$0] ?? "" } + [data.serializedString()])
                }
            }
            if let last = batch.last { after = last }
            output.write(chunk)
            if batch.scanned == batchSize {
                // The last calculation may have more steps: read on within it first.
                withinCalculation = true
            } else if withinCalculation {
                withinCalculation = false
            } else {
                break
            }
        }
        // Nothing matched: the header alone.
        if format == "csv" && columns == nil {
            output.write(csvHeader(valueColumns: []))
        }
        output.flush()
        return .streamed
    }

    /// The export's CSV header: the calculation's columns, the value columns named by the first row's
    /// scalar fields, and data_json, which holds everything.
    static func csvHeader(valueColumns: [String]) -> String {
        ReportTable.csvLine(["calculation_id", "calculation", "engine", "state", "molecule_id", "formula", "cluster", "step", "parameters_json"]
                            + valueColumns + ["data_json"])
    }
}
