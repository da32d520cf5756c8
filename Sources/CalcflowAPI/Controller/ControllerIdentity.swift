/// Who a model controller is: its `mk_` key.
public struct ControllerIdentity: Sendable, Equatable {
    public var keyID: Int64
    public var label: String
}
