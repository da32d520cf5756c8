/// Who may do what to a model: API.md's role matrix for models, in one place. The API enforces it
/// per route and lists it as a model's `allowed_actions`.
public enum ModelPolicy {
    public enum Action: String, Sendable, CaseIterable {
        case invoke, start, stop, edit, delete
    }

    public static func allows(_ action: Action, role: Role) -> Bool {
        switch action {
        case .invoke: return true
        case .start, .stop: return role >= .moderator
        case .edit, .delete: return role == .admin
        }
    }

    /// What this role may do to a model in `desired` state now.
    public static func allowedActions(role: Role, desired: DesiredModelState) -> [Action] {
        Action.allCases.filter { action in
            guard allows(action, role: role) else { return false }
            switch action {
            case .start: return desired == .stopped
            case .stop: return desired == .running
            default: return true
            }
        }
    }

    /// The name in `/ml/{name}/invocations`: one URL segment people can read.
    public static func checkName(_ name: String) throws(ValidationError) {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == "."
        }
        guard allowed, let first = name.unicodeScalars.first, first != ".", first != "-" else {
            throw ValidationError(field: "name", message: "must be letters, digits, '.', '_' or '-', starting with a letter or digit: it names the model in /ml/{name}/invocations")
        }
    }
}
