import CalcflowLogging
import Logging

public enum LoggingSetup {
    /// One line per event on stderr, where journald picks it up, every value escaped by the one formatter.
    public static func bootstrap(level: String) -> Logger {
        KeyValueLogHandler.bootstrap(label: "calcflow", level: Logger.Level(rawValue: level) ?? .info)
    }
}
