import JSON

/// The shapes of `configuration` that API.md promises per engine. Engines it does not know (a
/// cluster may offer more) take any object; the agent checks those when it claims.
public enum EngineConfiguration {
    /// The engines whose configuration API.md describes (and the dashboard has a form for).
    public static let describedEngines = ["xtb", "qe", "siesta", "command"]
    public static let xtbTasks = ["sp", "opt"]
    public static let xtbMethods = ["gfn0", "gfn1", "gfn2", "gfnff"]

    public static func validate(engine: String, _ configuration: JSON, hasMolecule: Bool) throws(ValidationError) {
        var input = try InputObject(configuration, path: "configuration")
        switch engine {
        case "xtb":
            if let structure = try input.object("structure") {
                var fields = try InputObject(.object(structure), path: "configuration.structure")
                let format = try fields.string("format") ?? "xyz"
                guard format == "xyz" else { throw ValidationError(field: "configuration.structure.format", message: "must be \"xyz\"") }
                _ = try XYZStructure.parse(try fields.string("text", required: true, maxLength: 10_000_000) ?? "", field: "configuration.structure.text")
                try fields.rejectUnknownFields()
            } else if !hasMolecule {
                throw ValidationError(field: "configuration.structure", message: "is required when the calculation has no molecule")
            }
            if let task = try input.string("task"), !xtbTasks.contains(task) {
                throw ValidationError(field: "configuration.task", message: "must be \"sp\" (single point) or \"opt\" (optimisation)")
            }
            if let method = try input.string("method"), !xtbMethods.contains(method) {
                throw ValidationError(field: "configuration.method", message: "must be gfn0, gfn1, gfn2 or gfnff")
            }
            _ = try input.integer("charge", range: -100...100)
            _ = try input.integer("uhf", range: 0...100)
            _ = try input.integer("iterations", range: 1...10_000)
            _ = try input.integer("cycles", range: 1...100_000)
            _ = try input.integer("max_restarts", range: 0...100)
        case "qe":
            let text = try input.string("input", required: true, maxLength: 10_000_000, allowEmpty: false) ?? ""
            guard text.lowercased().contains("&control") || text.lowercased().contains("&system") else {
                throw ValidationError(field: "configuration.input", message: "is not a pw.x input: it has no &CONTROL or &SYSTEM namelist")
            }
            try QuantumEspressoInput.checkAgentOwnedVariables(text)
            try pseudopotentials(&input, suffixes: [".upf"])
            _ = try input.integer("max_restarts", range: 0...100)
        case "siesta":
            _ = try input.string("fdf", required: true, maxLength: 10_000_000, allowEmpty: false)
            try pseudopotentials(&input, suffixes: [".psf", ".psml"])
            _ = try input.integer("max_restarts", range: 0...100)
        case "command":
            _ = try input.string("script", required: true, maxLength: 10_000_000, allowEmpty: false)
            if let files = try input.object("files") {
                for (name, content) in files {
                    guard content.stringValue != nil else {
                        throw ValidationError(field: "configuration.files.\(name)", message: "must be the file's text")
                    }
                    guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                        throw ValidationError(field: "configuration.files.\(name)", message: "must be a plain file name, without '/'")
                    }
                }
            }
        default:
            return
        }
        try input.rejectUnknownFields()
    }

    /// What the steps' parameters make of the configuration: a pw.x input rendered with a step's
    /// parameters must still leave `outdir`, `wfcdir` and `pseudo_dir` to the agent.
    public static func validate(engine: String, _ configuration: JSON, steps: StepPlan) throws(ValidationError) {
        guard engine == "qe", let template = configuration["input"]?.stringValue else { return }
        for (index, step) in steps.steps.enumerated() {
            for name in step.parameters.keys where QuantumEspressoInput.agentOwnedVariables.contains(name.lowercased()) {
                throw ValidationError(field: "steps[\(index)].parameters.\(name)", message: "is set by the agent (the step's folder and the cluster's pseudopotentials); leave it out")
            }
            try QuantumEspressoInput.checkAgentOwnedVariables(TemplateText.render(template, parameters: step.parameters),
                                                              field: "steps[\(index)].parameters")
        }
    }

    private static func pseudopotentials(_ input: inout InputObject, suffixes: [String]) throws(ValidationError) {
        for (index, name) in (try input.strings("pseudopotentials", maxCount: 200) ?? []).enumerated() {
            guard !name.contains("/"), suffixes.contains(where: { name.lowercased().hasSuffix($0) }) else {
                throw ValidationError(field: "configuration.pseudopotentials[\(index)]",
                                      message: "must be a file name ending in \(suffixes.joined(separator: " or ")) from the cluster's pseudopotential folder")
            }
        }
    }
}
