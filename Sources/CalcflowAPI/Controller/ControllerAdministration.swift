import MariaDB

/// What `calcflowctl controller key` does: a new mk_ key for a model controller, shown once.
public enum ControllerAdministration {
    public static func issueKey(label: String, on connection: Connection) throws -> String {
        try ControllerKeyStore(connection: connection, keyGeneration: CacheGeneration(lifetimeMilliseconds: 0)).create(label: label, createdBy: 0).key
    }
}
