import CalcflowCore
import JSON

/// The body of `POST /models` and `PATCH /models/{id}`, read strictly.
struct ModelInput {
    var name: String?
    var image: String?
    var port: Int64?
    var environment: [String: JSON]?
    var modelData: String??
    var memoryLimitBytes: Int64??
    var startupTimeoutSeconds: Int64?
    var invocationTimeoutSeconds: Int64?
    var predicts: PredictionTarget??
    var autoPredict: Bool?

    init(_ input: inout InputObject, creating: Bool) throws(ValidationError) {
        name = try input.name("name", required: creating, maxLength: 100)
        if let name { try ModelPolicy.checkName(name) }
        image = try input.name("image", required: creating, maxLength: 500)
        if let image, image.contains(where: \.isWhitespace) {
            throw ValidationError(field: "image", message: "must be an image reference such as calcflow/example-energy:1, without spaces")
        }
        port = try input.integer("port", range: 1...65_535)
        if let members = try input.object("environment") {
            var environment: [String: JSON] = [:]
            for (key, value) in members {
                let validKey = !key.isEmpty && key.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
                    && !("0"..."9").contains(key.unicodeScalars.first!)
                guard validKey else { throw ValidationError(field: "environment.\(key)", message: "is not a variable name: letters, digits and '_'") }
                guard case .string(let text) = value else { throw ValidationError(field: "environment.\(key)", message: "must be a string") }
                if text.unicodeScalars.contains(where: { $0.value == 0 }) { throw ValidationError(field: "environment.\(key)", message: "must not hold a NUL") }
                environment[key] = value
            }
            self.environment = environment
        }
        if input.contains("model_data") {
            let folder = try input.string("model_data", maxLength: 1_000)
            if let folder, !folder.hasPrefix("/") || folder.contains("/../") || folder.hasSuffix("/..") || ControlCharacters.first(in: folder) != nil {
                throw ValidationError(field: "model_data", message: "must be an absolute folder on the controller's machine, mounted read-only at /opt/ml/model")
            }
            modelData = .some(folder)
        }
        if input.contains("memory_limit_bytes") {
            memoryLimitBytes = .some(try input.integer("memory_limit_bytes", range: 6 * 1_048_576...Int64(1) << 50))
        }
        startupTimeoutSeconds = try input.integer("startup_timeout_seconds", range: 60...3_600)
        invocationTimeoutSeconds = try input.integer("invocation_timeout_seconds", range: 1...3_600)
        if input.contains("predicts") {
            if let members = try input.object("predicts") {
                var fields = try InputObject(.object(members), path: "predicts")
                let analysis = try fields.name("analysis", required: true, maxLength: 64) ?? ""
                let unit = try fields.name("unit", maxLength: 32)
                let engine = try fields.name("engine", maxLength: 64)
                try fields.rejectUnknownFields()
                predicts = .some(PredictionTarget(analysis: analysis, unit: unit, engine: engine))
            } else {
                predicts = .some(nil)
            }
        }
        autoPredict = try input.bool("auto_predict")
        try input.rejectUnknownFields()
    }
}
