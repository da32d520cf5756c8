import CalcflowCore
import Foundation
import JSON

/// A calculation's report in json, csv or html. The html is one self-contained page: the input,
/// the events, and per analysis a table of its values and SVG charts of its series.
struct CalculationReport {
    let calculation: CalculationRecord
    let events: [JSON]
    let analyses: [JSON]

    var json: JSON {
        ["calculation": calculation.json, "events": .array(events), "analyses": .array(analyses),
         "generated_at": .string(Timestamp.rfc3339(Date()))]
    }

    /// One row per extracted value: analysis, step, path, value. Series are one row per point.
    var csv: String {
        var text = ReportTable.csvLine(["calculation_id", "calculation", "analysis", "step", "path", "index", "value"])
        for analysis in analyses {
            let name = analysis["name"]?.stringValue ?? ""
            let step = analysis["step"]?.stringValue ?? ""
            let flattened = ReportTable.flatten(analysis["data"] ?? .null)
            for scalar in flattened.scalars {
                text += ReportTable.csvLine([String(calculation.id), calculation.name, name, step, scalar.path, "", scalar.value])
            }
            for series in flattened.series {
                for (lineIndex, line) in series.lines.enumerated() {
                    for (index, value) in line.enumerated() {
                        let position = series.lines.count > 1 ? "\(lineIndex):\(index)" : String(index)
                        text += ReportTable.csvLine([String(calculation.id), calculation.name, name, step, series.path, position, String(value)])
                    }
                }
            }
        }
        return text
    }

    var html: String {
        let escape = HTMLText.escape
        var page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escape(calculation.name)) (#\(calculation.id)) · Calcflow report</title>
            <style>body{font-family:system-ui,sans-serif;color:#1b2430;max-width:1000px;margin:2rem auto;padding:0 1rem}
            table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #dde3ea;padding:.3rem .6rem;text-align:left;vertical-align:top}
            th{color:#5b6778;font-weight:600}.state{display:inline-block;padding:.1rem .5rem;border-radius:999px;background:#e6eef8}
            pre{background:#f5f7fa;padding:.8rem;overflow:auto;font-size:.85rem}h2{margin-top:2rem}</style></head><body>
            <h1>\(escape(calculation.name)) <small>#\(calculation.id)</small></h1>
            <p><span class="state">\(calculation.state.rawValue)</span> \(calculation.reason.map { escape($0) } ?? "")</p>
            <table>
            <tr><th>Engine</th><td>\(escape(calculation.engine))</td></tr>
            <tr><th>Cluster</th><td>\(escape(calculation.clusterName))</td></tr>
            <tr><th>Analyses</th><td>\(escape(calculation.analyses.joined(separator: ", ")))</td></tr>
            <tr><th>Created</th><td>\(calculation.createdAt ?? "")</td></tr>
            <tr><th>Started</th><td>\(calculation.startedAt ?? "—")</td></tr>
            <tr><th>Finished</th><td>\(calculation.finishedAt ?? "—")</td></tr>
            </table>
            """
        if !calculation.description.isEmpty { page += "<p>\(escape(calculation.description))</p>" }
        for analysis in analyses {
            let name = analysis["name"]?.stringValue ?? ""
            let step = analysis["step"]?.stringValue ?? ""
            let flattened = ReportTable.flatten(analysis["data"] ?? .null)
            page += "<h2>\(escape(name))\(step.isEmpty ? "" : " <small>step \(escape(step))</small>")</h2>"
            if !flattened.scalars.isEmpty {
                page += "<table><tr><th>Quantity</th><th>Value</th></tr>"
                for scalar in flattened.scalars { page += "<tr><td>\(escape(scalar.path))</td><td>\(escape(scalar.value))</td></tr>" }
                page += "</table>"
            }
            for series in flattened.series {
                let lines = series.lines.enumerated().map { index, values in
                    SVGLineChart.Series(name: series.lines.count > 1 ? "\(series.path) \(index + 1)" : series.path,
                                        points: values.enumerated().map { (Double($0.offset), $0.element) })
                }
                let chart = SVGLineChart(title: "\(name): \(series.path)", xLabel: "index", yLabel: series.path, series: lines)
                page += "<figure>\(chart.svg)</figure>"
            }
        }
        page += "<h2>Events</h2><table><tr><th>When</th><th>Level</th><th>Step</th><th>State</th><th>Message</th></tr>"
        for event in events {
            page += "<tr><td>\(escape(event["created_at"]?.stringValue ?? ""))</td><td>\(escape(event["level"]?.stringValue ?? ""))</td>"
            page += "<td>\(escape(event["step"]?.stringValue ?? ""))</td><td>\(escape(event["state"]?.stringValue ?? ""))</td>"
            page += "<td>\(escape(event["message"]?.stringValue ?? ""))</td></tr>"
        }
        page += "</table><h2>Input</h2><pre>\(escape(calculation.configuration.serializedString()))</pre>"
        page += "<h2>Steps</h2><pre>\(escape(calculation.steps.serializedString()))</pre>"
        page += "<p><small>Generated by Calcflow at \(Timestamp.rfc3339(Date())).</small></p></body></html>"
        return page
    }
}
