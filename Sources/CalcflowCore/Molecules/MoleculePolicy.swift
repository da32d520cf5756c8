/// Who may change a molecule: its creator, and moderators and admins (API.md).
public enum MoleculePolicy {
    public enum Action: String, Sendable, CaseIterable {
        case edit, delete
    }

    public static func check(_ action: Action, actor: UserPolicy.Party, createdBy: Int64?) -> PolicyVerdict {
        UserPolicy.canChange(actor: actor, createdBy: createdBy) ? .allowed : .forbidden("you can only \(action.rawValue) molecules you created")
    }

    public static func allowedActions(actor: UserPolicy.Party, createdBy: Int64?) -> [Action] {
        Action.allCases.filter { check($0, actor: actor, createdBy: createdBy).isAllowed }
    }
}
