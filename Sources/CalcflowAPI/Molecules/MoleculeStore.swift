import MariaDB

struct MoleculeStore {
    let connection: Connection

    func find(id: Int64) throws(DatabaseError) -> MoleculeRecord? {
        try connection.queryFirst("SELECT \(MoleculeRecord.columns) FROM molecules WHERE id = ?", [.integer(id)]).map(MoleculeRecord.init(row:))
    }

    func list(afterID: Int64, limit: Int, text: String?) throws(DatabaseError) -> [MoleculeRecord] {
        if let text, !text.isEmpty {
            let pattern = SearchPattern.containing(text)
            return try connection.query(
                "SELECT \(MoleculeRecord.columns) FROM molecules WHERE id > ? AND (name LIKE ? OR formula LIKE ?) ORDER BY id LIMIT ?",
                [.integer(afterID), .text(pattern), .text(pattern), .integer(Int64(limit))]).map(MoleculeRecord.init(row:))
        }
        return try connection.query("SELECT \(MoleculeRecord.columns) FROM molecules WHERE id > ? ORDER BY id LIMIT ?",
                                    [.integer(afterID), .integer(Int64(limit))]).map(MoleculeRecord.init(row:))
    }

    func create(name: String, formula: String, structure: String, notes: String, createdBy: Int64) throws(DatabaseError) -> MoleculeRecord? {
        let result = try connection.execute(
            "INSERT INTO molecules (name, formula, structure_text, notes, created_by) VALUES (?, ?, ?, ?, ?)",
            [.text(name), .text(formula), .text(structure), .text(notes), .integer(createdBy)])
        return try find(id: result.lastInsertID)
    }

    func update(id: Int64, _ assignments: [(column: String, value: SQLValue)]) throws(DatabaseError) {
        try RowUpdate.apply(assignments, table: "molecules", id: id, on: connection)
    }

    func isUsed(id: Int64) throws(DatabaseError) -> Bool {
        try connection.queryFirst("SELECT 1 AS used FROM calculations WHERE molecule_id = ? LIMIT 1", [.integer(id)]) != nil
    }

    func delete(id: Int64) throws(DatabaseError) {
        try connection.execute("DELETE FROM molecules WHERE id = ?", [.integer(id)])
    }
}
