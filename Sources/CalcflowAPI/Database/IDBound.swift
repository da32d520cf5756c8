import MariaDB

/// The keyset condition of a list paged by id: after (or, newest first, before) the last id seen, and
/// no condition at all on the first page. No bound may stand in for "none": an Int64.max bound against
/// an unsigned id made MariaDB read every row (0.6 s at 150,000 calculations).
struct IDBound {
    let condition: String?
    let values: [SQLValue]

    /// `column` is the qualified id column (`c.id`); `descending` pages from the newest down.
    init(_ column: String, after id: Int64?, descending: Bool) {
        guard let id else {
            condition = nil
            values = []
            return
        }
        condition = "\(column) \(descending ? "<" : ">") ?"
        values = [.integer(id)]
    }

    /// `AND column > ?`, or nothing, for a WHERE clause that has a condition already.
    var andClause: String { condition.map { " AND \($0)" } ?? "" }
}
