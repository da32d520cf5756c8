import JSON

/// Reads SIESTA's output (and its MESSAGES file) line by line: the SCF table of every geometry
/// step, the final energies, forces, relaxed coordinates, and the failure markers.
public struct SiestaOutputParser: Sendable {
    /// E_KS per SCF iteration, one list per geometry step.
    public private(set) var cycles: [[Double]] = []
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

    public mutating func consume(_ line: Substring) {
        let trimmed = line.drop(while: { $0 == " " })
        switch section {
        case .forces:
            let fields = trimmed.split(separator: " ")
            if fields.count == 4, Int(fields[0]) != nil {
                forces.append(fields.dropFirst().compactMap { Double($0) })
                return
            }
            if trimmed.hasPrefix("----") || trimmed.hasPrefix("Tot") || trimmed.hasPrefix("Max") || trimmed.hasPrefix("Res") { return }
            section = .none
        case .coordinates:
            let fields = trimmed.split(separator: " ")
            if fields.count >= 6, let x = Double(fields[0]), let y = Double(fields[1]), let z = Double(fields[2]) {
                relaxedCoordinates.append(["element": .string(String(fields[5])), "x": .number(x), "y": .number(y), "z": .number(z)])
                return
            }
            section = .none
        case .none:
            break
        }
        if trimmed.hasPrefix("scf:") {
            let fields = trimmed.split(separator: " ")
            if fields.count >= 7, let energy = Double(fields[3]) {
                if expectingNewCycle { cycles.append([]); expectingNewCycle = false }
                cycles[cycles.count - 1].append(energy)
                lastIterationFermi = Double(fields[6])
            }
        } else if trimmed.hasPrefix("iscf") {
            expectingNewCycle = true
        } else if trimmed.hasPrefix("SCF cycle converged") {
            scfConverged = true
        } else if trimmed.hasPrefix("siesta: Atomic forces") {
            forces = []
            section = .forces
        } else if trimmed.hasPrefix("outcoor: Relaxed atomic coordinates") {
            relaxedCoordinates = []
            section = .coordinates
        } else if trimmed.hasPrefix("siesta:") && trimmed.contains("Total =") {
            totalEnergy = Self.number(afterEquals: trimmed)
        } else if trimmed.hasPrefix("siesta:") && trimmed.contains("Fermi =") {
            fermiEnergy = Self.number(afterEquals: trimmed)
        } else if trimmed.contains("SCF_NOT_CONV") {
            scfNotConverged = true
        } else if trimmed.contains("GEOM_NOT_CONV") {
            geometryNotConverged = true
        } else if trimmed.contains("ABNORMAL_TERMINATION") {
            abnormal = true
        } else if trimmed.contains("Job completed") {
            jobCompleted = true
        } else if version == nil && (trimmed.hasPrefix("Siesta Version") || trimmed.hasPrefix("Version ")) {
            version = trimmed.split(separator: ":", maxSplits: 1).last.map { $0.drop(while: { $0 == " " }) }.map(String.init)
        } else if trimmed.hasPrefix("timer: Elapsed wall time (sec)") {
            wallSeconds = Self.number(afterEquals: trimmed)
        }
    }

    static func number(afterEquals line: Substring) -> Double? {
        guard let index = line.firstIndex(of: "=") else { return nil }
        return line[line.index(after: index)...].split(separator: " ").compactMap { Double($0) }.first
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
        let last = cycles.last ?? []
        var result: [String: JSON] = [
            "scf": ["converged": .bool(scfConverged && !scfNotConverged), "iterations": .integer(Int64(last.count)),
                    "energies": .array(last.map(JSON.number)), "geometry_steps": .integer(Int64(cycles.count)), "unit": "eV"],
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
