import CalcflowCore
import JSON

/// The body of `POST /calculations` (and, partly, `PATCH`), read strictly.
struct CalculationInput {
    var name: String?
    var description: String?
    var clusterID: Int64?
    var moleculeID: Int64??
    var engine: String?
    var configuration: JSON?
    var steps: StepPlan?
    var analyses: [String]?
    var priority: Int64?
    var keepRaw: Bool?

    init(_ input: inout InputObject, creating: Bool) throws(ValidationError) {
        name = try input.name("name", required: creating)
        description = try input.string("description", maxLength: 20_000)
        clusterID = try input.integer("cluster_id", required: creating, range: 1...Int64.max)
        if input.contains("molecule_id") {
            moleculeID = .some(try input.integer("molecule_id", range: 1...Int64.max))
        }
        engine = try input.string("engine", required: creating, maxLength: 64, allowEmpty: false)
        configuration = try input.json("configuration", required: creating)
        if input.contains("steps") || creating { steps = try StepPlan.read(try input.json("steps")) }
        analyses = try input.strings("analyses", required: creating, maxCount: 200)
        if let analyses, Set(analyses).count != analyses.count { throw ValidationError(field: "analyses", message: "names an analysis twice") }
        priority = try input.integer("priority", range: -100...100)
        keepRaw = try input.bool("keep_raw")
        try input.rejectUnknownFields()
    }

    /// Whether the edit changes what runs (cluster, engine, configuration, steps, molecule or analyses).
    var altersTheRun: Bool {
        clusterID != nil || engine != nil || configuration != nil || steps != nil || moleculeID != nil || analyses != nil
    }
}
