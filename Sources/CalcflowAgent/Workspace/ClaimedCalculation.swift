import CalcflowCore
import JSON

/// A calculation as the claim handed it over.
struct ClaimedCalculation: Sendable {
    var id: Int64
    var name: String
    var engine: String
    var configuration: JSON
    var steps: [StepPlan.Step]
    var analyses: [String]
    var keepRaw: Bool
    var moleculeStructure: String?

    init(_ json: JSON) throws {
        guard let id = json["id"]?.integerValue, let engine = json["engine"]?.stringValue else {
            throw ValidationError(field: nil, message: "the claim has no id or engine")
        }
        self.id = id
        name = json["name"]?.stringValue ?? "calculation"
        self.engine = engine
        configuration = json["configuration"] ?? .object([:])
        steps = try StepPlan.read(json["steps"]).steps
        analyses = (json["analyses"]?.arrayValue ?? []).compactMap(\.stringValue)
        keepRaw = json["keep_raw"]?.boolValue ?? false
        moleculeStructure = json["molecule"]?["structure"]?["text"]?.stringValue
    }

    /// A folder name people can read: `<id>-<slug of the name>`.
    var folderName: String {
        let slug = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let collapsed = String(slug).split(separator: "-").joined(separator: "-").prefix(40)
        return collapsed.isEmpty ? String(id) : "\(id)-\(collapsed)"
    }
}
