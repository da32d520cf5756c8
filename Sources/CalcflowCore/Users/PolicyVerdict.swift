/// A policy's answer to "may this person do this now?": what the API enforces and what it lists as
/// `allowed_actions` come from the same answer.
public enum PolicyVerdict: Sendable, Equatable {
    case allowed
    /// 403: the actor's role (or ownership) does not reach this far.
    case forbidden(String)
    /// 409: allowed in general, but not in the resource's present state.
    case conflict(String)

    public var isAllowed: Bool { self == .allowed }
}
