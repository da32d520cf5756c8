import CalcflowLogging
import Logging

public enum LoggingSetup {
    /// One line per event on stderr, where journald picks it up, every value escaped by the one formatter.
    public static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = KeyValueLogHandler(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: "calcflow")
    }
}
