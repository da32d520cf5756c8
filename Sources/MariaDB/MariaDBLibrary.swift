import CMariaDB

enum MariaDBLibrary {
    /// mysql_library_init is not thread-safe: it runs once, before the first connection of any thread.
    static let initialized: Bool = {
        cmariadb_library_init() == 0
    }()
}
