import JSON
import MariaDB

struct MoleculeRecord: Sendable {
    var id: Int64
    var name: String
    var formula: String
    var structureText: String
    var notes: String
    var createdBy: Int64?
    var createdAt: String?
    var updatedAt: String?

    static let columns = "id, name, formula, structure_format, structure_text, notes, created_by, created_at, updated_at"

    init(row: Row) {
        id = row.int("id") ?? 0
        name = row.string("name") ?? ""
        formula = row.string("formula") ?? ""
        structureText = row.string("structure_text") ?? ""
        notes = row.string("notes") ?? ""
        createdBy = row.int("created_by")
        createdAt = Timestamp.rfc3339(fromDatabase: row.string("created_at"))
        updatedAt = Timestamp.rfc3339(fromDatabase: row.string("updated_at"))
    }

    var json: JSON {
        [
            "id": .integer(id), "name": .string(name), "formula": .string(formula),
            "structure": ["format": "xyz", "text": .string(structureText)], "notes": .string(notes),
            "created_by": JSON(createdBy), "created_at": JSON(createdAt), "updated_at": JSON(updatedAt),
        ]
    }
}
