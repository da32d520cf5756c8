import MariaDB

/// `UPDATE table SET a = ?, b = ? WHERE id = ?`, from column names the code chose and values that
/// are only ever bound.
enum RowUpdate {
    @discardableResult
    static func apply(_ assignments: [(column: String, value: SQLValue)], table: String, id: Int64, condition: String = "",
                      on connection: Connection) throws(DatabaseError) -> Int64 {
        guard !assignments.isEmpty else { return 0 }
        let sets = assignments.map { "\($0.column) = ?" }.joined(separator: ", ")
        return try connection.execute("UPDATE \(table) SET \(sets) WHERE id = ?\(condition.isEmpty ? "" : " AND \(condition)")",
                                      assignments.map(\.value) + [.integer(id)]).affectedRows
    }
}
