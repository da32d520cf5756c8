extension String {
    /// At most `limit` code points: the unit in which MariaDB measures a column's length. Swift's
    /// `prefix` counts letters with their combining marks as one, and can exceed a column.
    public func prefix(codePoints limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: unicodeScalars.prefix(limit))
        return String(scalars)
    }
}
