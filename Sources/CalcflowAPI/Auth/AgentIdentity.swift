/// Who an agent is: the cluster its `ck_` key belongs to.
public struct AgentIdentity: Sendable, Equatable {
    public var clusterID: Int64
    public var clusterName: String
    public var keyID: Int64
    public var enabled: Bool
    /// The cluster's throttle (0: none), read with the key.
    public var maxRunning: Int64
}
