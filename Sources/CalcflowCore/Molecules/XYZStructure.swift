/// An xyz structure: an atom count, a comment line, then one `Element x y z` line per atom.
public struct XYZStructure: Sendable, Equatable {
    public struct Atom: Sendable, Equatable {
        public var element: String
        public var x: Double
        public var y: Double
        public var z: Double
    }

    public var comment: String
    public var atoms: [Atom]

    static let elements: Set<String> = Set("""
        H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    public static func parse(_ text: String, field: String = "structure.text") throws(ValidationError) -> XYZStructure {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingWhitespaceAndReturn() }
        guard let first = lines.first, let count = Int(first), count > 0 else {
            throw ValidationError(field: field, message: "line 1 must be the number of atoms")
        }
        guard count <= 100_000 else { throw ValidationError(field: field, message: "has more than 100000 atoms") }
        guard lines.count >= count + 2 else {
            throw ValidationError(field: field, message: "says \(count) atoms but has \(max(lines.count - 2, 0)) atom lines")
        }
        var atoms: [Atom] = []
        atoms.reserveCapacity(count)
        for index in 0..<count {
            let lineNumber = index + 3
            let parts = lines[index + 2].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 4 else {
                throw ValidationError(field: field, message: "line \(lineNumber) must be 'Element x y z'")
            }
            let symbol = normalizedElement(String(parts[0]))
            guard elements.contains(symbol) else {
                throw ValidationError(field: field, message: "line \(lineNumber): '\(parts[0])' is not a chemical element")
            }
            guard let x = Double(parts[1]), let y = Double(parts[2]), let z = Double(parts[3]), x.isFinite, y.isFinite, z.isFinite else {
                throw ValidationError(field: field, message: "line \(lineNumber): coordinates must be three numbers")
            }
            atoms.append(Atom(element: symbol, x: x, y: y, z: z))
        }
        let rest = lines.dropFirst(count + 2)
        if rest.contains(where: { !$0.isEmpty }) {
            throw ValidationError(field: field, message: "has more lines than its \(count) atoms")
        }
        return XYZStructure(comment: lines[1], atoms: atoms)
    }

    static func normalizedElement(_ symbol: String) -> String {
        guard let first = symbol.first else { return symbol }
        return first.uppercased() + symbol.dropFirst().lowercased()
    }

    /// The Hill formula: C first, then H, then the rest alphabetically (alphabetical when no carbon).
    public var formula: String {
        var counts: [String: Int] = [:]
        for atom in atoms { counts[atom.element, default: 0] += 1 }
        var order = counts.keys.sorted()
        if counts["C"] != nil {
            order.removeAll { $0 == "C" || $0 == "H" }
            order = ["C"] + (counts["H"] != nil ? ["H"] : []) + order
        }
        return order.map { counts[$0]! == 1 ? $0 : "\($0)\(counts[$0]!)" }.joined()
    }
}

extension Substring {
    func trimmingWhitespaceAndReturn() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}
