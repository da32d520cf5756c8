import JSON

/// The ordered steps of a calculation (same molecule, a different voltage each...), validated.
public struct StepPlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var name: String
        public var parameters: [String: JSON]
        public var copyFrom: String?
        public var copy: [String]

        public init(name: String, parameters: [String: JSON] = [:], copyFrom: String? = nil, copy: [String] = []) {
            self.name = name
            self.parameters = parameters
            self.copyFrom = copyFrom
            self.copy = copy
        }

        public var json: JSON {
            var object: [String: JSON] = ["name": .string(name), "parameters": .object(parameters)]
            if let copyFrom { object["copy_from"] = .string(copyFrom) }
            if !copy.isEmpty { object["copy"] = .array(copy.map(JSON.string)) }
            return .object(object)
        }
    }

    public var steps: [Step]

    public init(steps: [Step]) {
        self.steps = steps
    }

    public var json: JSON { .array(steps.map(\.json)) }

    /// Reads `steps` from a request; a missing list means one step called "main".
    public static func read(_ value: JSON?, field: String = "steps") throws(ValidationError) -> StepPlan {
        guard let value, value != .null else { return StepPlan(steps: [Step(name: "main")]) }
        guard case .array(let items) = value, !items.isEmpty else {
            throw ValidationError(field: field, message: "must be a non-empty list of steps")
        }
        guard items.count <= 100 else { throw ValidationError(field: field, message: "has more than 100 steps") }
        var steps: [Step] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            var input = try InputObject(item, path: path)
            let name = try input.string("name", required: true, maxLength: 100, allowEmpty: false) ?? ""
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw ValidationError(field: "\(path).name", message: "may hold letters, digits, '-', '_' and '.' only: it names a folder")
            }
            guard name.contains(where: { $0 != "." }) else {
                throw ValidationError(field: "\(path).name", message: "'\(name)' names no folder of its own; use letters or digits")
            }
            guard names.insert(name).inserted else { throw ValidationError(field: "\(path).name", message: "'\(name)' is used by an earlier step") }
            let parameters = try input.object("parameters") ?? [:]
            let copyFrom = try input.string("copy_from", maxLength: 100)
            if let copyFrom, !steps.contains(where: { $0.name == copyFrom }) {
                throw ValidationError(field: "\(path).copy_from", message: "'\(copyFrom)' is not an earlier step; a step copies only from steps before it")
            }
            let copy = try input.strings("copy", maxCount: 100) ?? []
            if !copy.isEmpty {
                if copy.contains(where: { $0.contains("..") || $0.hasPrefix("/") }) {
                    throw ValidationError(field: "\(path).copy", message: "patterns stay inside the earlier step's folder: no '..' and no absolute paths")
                }
                if copyFrom == nil { throw ValidationError(field: "\(path).copy", message: "needs copy_from to say which step to copy from") }
            }
            try input.rejectUnknownFields()
            steps.append(Step(name: name, parameters: parameters, copyFrom: copyFrom, copy: copy))
        }
        return StepPlan(steps: steps)
    }
}
