import JSON

/// Reads SIESTA's output (and its MESSAGES file) line by line: the SCF table of every geometry
/// step, the final energies, forces, relaxed coordinates, and the failure markers.
public struct SiestaOutputParser: Sendable {
    /// E_KS per SCF iteration of the last geometry step (its last `maximumIterations`), and how many
    /// geometry steps there were: memory stays bounded however long the output.
    public private(set) var lastCycle: [Double] = []
    public private(set) var geometrySteps = 0
    static let maximumIterations = 10_000
    public private(set) var totalEnergy: Double?
    public private(set) var fermiEnergy: Double?
    public private(set) var lastIterationFermi: Double?
    public private(set) var scfConverged = false
    public private(set) var scfNotConverged = false
    public private(set) var geometryNotConverged = false
    public private(set) var abnormal = false
    public private(set) var jobCompleted = false
    public private(set) var version: String?
    public private(set) var wallSeconds: Double?
    public private(set) var forces: [[Double]] = []
    public private(set) var relaxedCoordinates: [JSON] = []
    private var section: Section = .none
    private var expectingNewCycle = true

    private enum Section { case none, forces, coordinates }

    public init() {}

    /// Whether a line can matter, from its first non-blank byte: most of a long output is skipped
    /// without being decoded. Inside a forces or coordinates block every line matters.
    public func wants(firstByte byte: UInt8) -> Bool {
        if section != .none { return true }
        switch byte {
        case UInt8(ascii: "s"), UInt8(ascii: "S"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "t"), UInt8(ascii: "V"),
             UInt8(ascii: "J"), UInt8(ascii: "F"), UInt8(ascii: "A"), UInt8(ascii: "G"), UInt8(ascii: "I"):
            return true
        default:
            return false
        }
    }

    public mutating func consume(_ line: Substring) {
        consume(bytes: ArraySlice(line.utf8))
    }

    /// The same on a line's bytes, as the agent reads them: no string is made for a line that does
    /// not matter, and the SCF table's fields are read in place.
    public mutating func consume(bytes line: ArraySlice<UInt8>) {
        let bytes = line.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        switch section {
        case .forces:
            let fields = Self.fields(bytes)
            if fields.count == 4, Int(Self.text(fields[0])) != nil {
                forces.append(fields.dropFirst().compactMap { Double(Self.text($0)) })
                return
            }
            if Self.starts(bytes, Marker.dashes) || Self.starts(bytes, Marker.tot) || Self.starts(bytes, Marker.max) || Self.starts(bytes, Marker.res) { return }
            section = .none
        case .coordinates:
            let fields = Self.fields(bytes)
            if fields.count >= 6, let x = Double(Self.text(fields[0])), let y = Double(Self.text(fields[1])), let z = Double(Self.text(fields[2])) {
                relaxedCoordinates.append(["element": .string(Self.text(fields[5])), "x": .number(x), "y": .number(y), "z": .number(z)])
                return
            }
            section = .none
        case .none:
            break
        }
        if Self.starts(bytes, Marker.scf) {
            // The SCF table is most of a long output: its two fields are read in place.
            if let energyField = Self.field(3, of: bytes), let energy = Double(Self.text(energyField)) {
                if expectingNewCycle {
                    lastCycle.removeAll(keepingCapacity: true)
                    geometrySteps += 1
                    expectingNewCycle = false
                }
                if lastCycle.count == Self.maximumIterations { lastCycle.removeFirst(Self.maximumIterations / 2) }
                lastCycle.append(energy)
                lastIterationFermi = Self.field(6, of: bytes).flatMap { Double(Self.text($0)) }
            }
        } else if Self.starts(bytes, Marker.iscf) {
            expectingNewCycle = true
        } else if Self.starts(bytes, Marker.converged) {
            scfConverged = true
        } else if Self.starts(bytes, Marker.forces) {
            forces = []
            section = .forces
        } else if Self.starts(bytes, Marker.coordinates) {
            relaxedCoordinates = []
            section = .coordinates
        } else if Self.starts(bytes, Marker.siesta) && ByteSearch.contains(bytes, Marker.total) {
            totalEnergy = Self.number(afterEquals: bytes)
        } else if Self.starts(bytes, Marker.siesta) && ByteSearch.contains(bytes, Marker.fermi) {
            fermiEnergy = Self.number(afterEquals: bytes)
        } else if ByteSearch.contains(bytes, Marker.scfNotConverged) {
            scfNotConverged = true
        } else if ByteSearch.contains(bytes, Marker.geometryNotConverged) {
            geometryNotConverged = true
        } else if ByteSearch.contains(bytes, Marker.abnormal) {
            abnormal = true
        } else if ByteSearch.contains(bytes, Marker.completed) {
            jobCompleted = true
        } else if version == nil && (Self.starts(bytes, Marker.siestaVersion) || Self.starts(bytes, Marker.version)) {
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
                version = Self.text(bytes[(colon + 1)...].drop(while: { $0 == UInt8(ascii: " ") }))
            }
        } else if Self.starts(bytes, Marker.wallTime) {
            wallSeconds = Self.number(afterEquals: bytes)
        }
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func starts(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    static func fields(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
    }

    /// The `index`th blank-separated field (0 first), found without splitting the line.
    static func field(_ index: Int, of bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var position = bytes.startIndex
        var current = 0
        while position < bytes.endIndex {
            while position < bytes.endIndex && bytes[position] == UInt8(ascii: " ") { position += 1 }
            guard position < bytes.endIndex else { return nil }
            var end = position
            while end < bytes.endIndex && bytes[end] != UInt8(ascii: " ") { end += 1 }
            if current == index { return bytes[position..<end] }
            current += 1
            position = end
        }
        return nil
    }

    static func number(afterEquals bytes: ArraySlice<UInt8>) -> Double? {
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        return field(0, of: bytes[(equals + 1)...]).flatMap { Double(text($0)) }
    }

    private enum Marker {
        static let scf = Array("scf:".utf8)
        static let iscf = Array("iscf".utf8)
        static let converged = Array("SCF cycle converged".utf8)
        static let forces = Array("siesta: Atomic forces".utf8)
        static let coordinates = Array("outcoor: Relaxed atomic coordinates".utf8)
        static let siesta = Array("siesta:".utf8)
        static let siestaVersion = Array("Siesta Version".utf8)
        static let version = Array("Version ".utf8)
        static let wallTime = Array("timer: Elapsed wall time (sec)".utf8)
        static let dashes = Array("----".utf8)
        static let tot = Array("Tot".utf8)
        static let max = Array("Max".utf8)
        static let res = Array("Res".utf8)
        static let total = Array("Total =".utf8)
        static let fermi = Array("Fermi =".utf8)
        static let scfNotConverged = Array("SCF_NOT_CONV".utf8)
        static let geometryNotConverged = Array("GEOM_NOT_CONV".utf8)
        static let abnormal = Array("ABNORMAL_TERMINATION".utf8)
        static let completed = Array("Job completed".utf8)
    }

    public func verdict(exitCode: Int32) -> Verdict {
        if scfNotConverged { return .notConverged("the SCF did not converge (SCF_NOT_CONV)") }
        if geometryNotConverged { return .notConverged("the geometry relaxation did not converge (GEOM_NOT_CONV)") }
        if abnormal { return .failed("SIESTA ended abnormally (ABNORMAL_TERMINATION)") }
        if exitCode != 0 { return .failed("siesta exited with code \(exitCode)") }
        guard jobCompleted, totalEnergy != nil else { return .failed("SIESTA printed no final total energy") }
        return .converged
    }

    public var analyses: [String: JSON] {
        var result: [String: JSON] = [
            "scf": ["converged": .bool(scfConverged && !scfNotConverged), "iterations": .integer(Int64(lastCycle.count)),
                    "energies": .array(lastCycle.map(JSON.number)), "geometry_steps": .integer(Int64(geometrySteps)), "unit": "eV"],
        ]
        if let totalEnergy { result["total_energy"] = ["value": .number(totalEnergy), "unit": "eV"] }
        if let fermi = fermiEnergy ?? (scfConverged ? lastIterationFermi : nil) { result["fermi_energy"] = ["value": .number(fermi), "unit": "eV"] }
        if !forces.isEmpty { result["forces"] = ["unit": "eV/Ang", "atoms": .array(forces.map { .array($0.map(JSON.number)) })] }
        if !relaxedCoordinates.isEmpty { result["geometry"] = ["unit": "Ang", "atoms": .array(relaxedCoordinates)] }
        if let wallSeconds { result["timing"] = ["wall_seconds": .number(wallSeconds)] }
        return result
    }
}

/// SIESTA's `.bands` file: the Fermi energy, then per k-point its coordinate(s) and band energies.
public enum SiestaBandsFile {
    public static func parse(_ text: String) -> JSON? {
        let lines = text.split(separator: "\n")
        guard lines.count >= 4, let fermi = Double(lines[0].trimmingWhitespaceAndReturn()) else { return nil }
        let header = lines[2].split(separator: " ").compactMap { Int($0) }
        guard header.count == 3 else { return nil }
        let (bands, spins, points) = (header[0], header[1], header[2])
        let numbers = lines.dropFirst(3).flatMap { $0.split(separator: " ").compactMap { Double($0) } }
        guard points > 0, numbers.count % points == 0 else { return nil }
        let perPoint = numbers.count / points
        let coordinates = perPoint - bands * spins
        guard coordinates == 1 || coordinates == 3 else { return nil }
        var kpoints: [JSON] = []
        var energies: [[Double]] = Array(repeating: [], count: bands * spins)
        for point in 0..<points {
            let block = numbers[(point * perPoint)..<((point + 1) * perPoint)]
            kpoints.append(.array(block.prefix(coordinates).map(JSON.number)))
            for (band, energy) in block.dropFirst(coordinates).enumerated() { energies[band].append(energy) }
        }
        return ["fermi_energy": .number(fermi), "unit": "eV", "spins": .integer(Int64(spins)), "kpoints": .array(kpoints),
                "bands": .array(energies.map { .array($0.map(JSON.number)) })]
    }
}
