/// The assignments of Fortran namelists (`&CONTROL ... /`), as pw.x reads them: several on one line
/// separated by commas, strings in either quote with doubled quotes inside, `!` comments, and
/// indexed names such as `celldm(1)`. Only what is needed to know which variables an input sets.
public enum FortranNamelist {
    public struct Assignment: Sendable, Equatable {
        /// The namelist, lowercased, without its `&`: "control".
        public var namelist: String
        /// The variable, lowercased, without its index: "celldm" for `celldm(1)`.
        public var variable: String
        /// The line it is on, from 1.
        public var line: Int
    }

    public static func assignments(in text: String) -> [Assignment] {
        var result: [Assignment] = []
        let characters = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var namelist: String?
        var quote: Unicode.Scalar?
        // The identifier just read (and whether an index followed it), waiting for an `=`.
        var pending: String?
        func isNameStart(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isAlphabetic || scalar == "_" }
        func isNamePart(_ scalar: Unicode.Scalar) -> Bool { isNameStart(scalar) || ("0"..."9").contains(scalar) || scalar == "%" }
        while index < characters.count {
            let scalar = characters[index]
            if scalar == "\n" { line += 1 }
            if let open = quote {
                if scalar == open {
                    if index + 1 < characters.count && characters[index + 1] == open { index += 2; continue }
                    quote = nil
                }
                index += 1
                continue
            }
            switch scalar {
            case "!":
                // A comment runs to the end of the line.
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            case "'", "\"":
                quote = scalar
                pending = nil
            case "&" where namelist == nil:
                var end = index + 1
                while end < characters.count && isNamePart(characters[end]) { end += 1 }
                namelist = String(String.UnicodeScalarView(characters[(index + 1)..<end])).lowercased()
                index = end
                pending = nil
                continue
            case "/" where namelist != nil:
                namelist = nil
                pending = nil
            case "=":
                if let namelist, let variable = pending { result.append(Assignment(namelist: namelist, variable: variable, line: line)) }
                pending = nil
            case "(" where pending != nil:
                // An index: `celldm(1) =`, `starting_magnetization(2) =`.
                var end = index + 1
                while end < characters.count && characters[end] != ")" && characters[end] != "\n" { end += 1 }
                index = end + 1
                continue
            default:
                if namelist != nil && isNameStart(scalar) {
                    var end = index + 1
                    while end < characters.count && isNamePart(characters[end]) { end += 1 }
                    pending = String(String.UnicodeScalarView(characters[index..<end])).lowercased()
                    index = end
                    continue
                }
                if !scalar.properties.isWhitespace { pending = nil }
            }
            index += 1
        }
        return result
    }
}
