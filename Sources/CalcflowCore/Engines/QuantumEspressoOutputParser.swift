import JSON

/// Reads pw.x's output line by line. Its trap: `JOB DONE.` is printed after a non-converged SCF too,
/// so convergence is read from its own line, and a missing `!` energy line means no result.
public struct QuantumEspressoOutputParser: Sendable {
    public private(set) var iterationEnergiesRydberg: [Double] = []
    public private(set) var totalEnergyRydberg: Double?
    public private(set) var fermiEnergy: Double?
    public private(set) var highestOccupied: Double?
    public private(set) var converged = false
    public private(set) var notConverged = false
    public private(set) var jobDone = false
    public private(set) var bandsDone = false
    public private(set) var version: String?
    public private(set) var wallSeconds: Double?
    public private(set) var errorMessage: String?
    /// The band energies printed per k-point (eV), the last set printed.
    public private(set) var kpoints: [[Double]] = []
    public private(set) var bandEnergies: [[Double]] = []
    /// `force = x y z` per atom (Ry/au), the last block printed.
    public private(set) var forces: [[Double]] = []
    /// The coordinates between `Begin final coordinates` and `End final coordinates` of a relaxation.
    public private(set) var finalCoordinates: [JSON] = []
    private var inErrorBlock = false
    private var readingBands = false
    private var readingFinalCoordinates = false

    public init() {}

    public mutating func consume(_ line: Substring) {
        let trimmed = line.drop(while: { $0 == " " })
        if trimmed.hasPrefix("End of self-consistent calculation") || trimmed.hasPrefix("End of band structure calculation") {
            kpoints = []
            bandEnergies = []
        }
        if trimmed.hasPrefix("k =") && trimmed.contains("bands (ev)") {
            // `k = 0.0000 0.0000 0.0000 (   65 PWs)   bands (ev):`, the energies on the lines after it.
            let coordinates = trimmed.dropFirst(3).prefix { $0 != "(" }
            kpoints.append(Self.numbers(coordinates))
            bandEnergies.append([])
            readingBands = true
            return
        }
        if readingBands {
            if trimmed.isEmpty { if !(bandEnergies.last ?? []).isEmpty { readingBands = false }; return }
            let values = Self.numbers(trimmed)
            if !values.isEmpty && values.count == trimmed.split(separator: " ").count {
                bandEnergies[bandEnergies.count - 1] += values
                return
            }
            readingBands = false
        }
        if trimmed.hasPrefix("Forces acting on atoms") {
            forces = []
        } else if trimmed.hasPrefix("atom") && trimmed.contains("force =") {
            forces.append(Self.numbers(trimmed[trimmed.index(after: trimmed.firstIndex(of: "=")!)...]))
            return
        } else if trimmed.hasPrefix("Begin final coordinates") {
            finalCoordinates = []
            readingFinalCoordinates = true
            return
        } else if trimmed.hasPrefix("End final coordinates") {
            readingFinalCoordinates = false
            return
        } else if readingFinalCoordinates {
            let fields = trimmed.split(separator: " ")
            if fields.count >= 4, fields[0].first?.isLetter == true, let x = Double(fields[1]), let y = Double(fields[2]), let z = Double(fields[3]) {
                finalCoordinates.append(["element": .string(String(fields[0])), "x": .number(x), "y": .number(y), "z": .number(z)])
            }
            return
        }
        if trimmed.hasPrefix("!") && trimmed.contains("total energy") {
            totalEnergyRydberg = Self.number(after: "=", in: trimmed)
        } else if trimmed.hasPrefix("total energy") && trimmed.contains("=") && trimmed.hasSuffix("Ry") {
            if let energy = Self.number(after: "=", in: trimmed) { iterationEnergiesRydberg.append(energy) }
        } else if trimmed.hasPrefix("convergence has been achieved") {
            converged = true
        } else if trimmed.hasPrefix("convergence NOT achieved") {
            notConverged = true
        } else if trimmed.hasPrefix("the Fermi energy is") {
            fermiEnergy = trimmed.split(separator: " ").compactMap { Double($0) }.first
        } else if trimmed.hasPrefix("highest occupied") {
            highestOccupied = Self.number(after: ":", in: trimmed)
        } else if trimmed.hasPrefix("JOB DONE.") {
            jobDone = true
        } else if trimmed.hasPrefix("End of band structure calculation") {
            bandsDone = true
        } else if trimmed.hasPrefix("Program PWSCF") {
            version = trimmed.split(separator: " ").dropFirst(2).first.map(String.init)
        } else if trimmed.hasPrefix("PWSCF") && trimmed.contains("WALL") {
            // `PWSCF : 1h 2m CPU 1h 3m WALL` or `0.61s CPU 0.65s WALL`: the parts between CPU and WALL.
            let parts = trimmed.split(separator: " ")
            if let wall = parts.firstIndex(of: "WALL"), let cpu = parts[..<wall].lastIndex(of: "CPU") {
                wallSeconds = Self.seconds(parts[(cpu + 1)..<wall])
            }
        } else if trimmed.hasPrefix("%%%%%%%%") {
            inErrorBlock.toggle()
        } else if inErrorBlock && errorMessage == nil && !trimmed.isEmpty && !trimmed.hasPrefix("Error in routine") {
            errorMessage = String(trimmed)
        } else if inErrorBlock && trimmed.hasPrefix("Error in routine") {
            errorMessage = String(trimmed)
        }
    }

    /// The numbers in a line; Fortran runs them together (`-5.7290-10.1`), so signs split them too.
    static func numbers(_ text: Substring) -> [Double] {
        var values: [Double] = []
        var current = ""
        for character in text {
            if character == " " || (character == "-" && !current.isEmpty && current.last != "E" && current.last != "e") {
                if let value = Double(current) { values.append(value) }
                current = character == "-" ? "-" : ""
            } else {
                current.append(character)
            }
        }
        if let value = Double(current) { values.append(value) }
        return values
    }

    static func number(after separator: Character, in line: Substring) -> Double? {
        guard let index = line.firstIndex(of: separator) else { return nil }
        return line[line.index(after: index)...].split(separator: " ").compactMap { Double($0) }.first
    }

    /// The sum of `1h`, `2m` and `5.20s` parts; nil when a part is none of those.
    static func seconds(_ parts: ArraySlice<Substring>) -> Double? {
        var total = 0.0
        for part in parts {
            guard let unit = part.last, let value = Double(part.dropLast()) else { return nil }
            switch unit {
            case "h": total += value * 3_600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
        }
        return parts.isEmpty ? nil : total
    }

    public func verdict(exitCode: Int32, bands: Bool) -> Verdict {
        if notConverged { return .notConverged("the SCF did not converge") }
        if let errorMessage { return .failed("pw.x: \(errorMessage)") }
        if exitCode != 0 { return .failed("pw.x exited with code \(exitCode)") }
        if bands { return bandsDone && jobDone ? .converged : .failed("pw.x did not finish the band structure") }
        guard converged, totalEnergyRydberg != nil, jobDone else { return .failed("pw.x printed no converged total energy") }
        return .converged
    }

    public var analyses: [String: JSON] {
        var result: [String: JSON] = [
            "scf": ["converged": .bool(converged && !notConverged), "iterations": .integer(Int64(iterationEnergiesRydberg.count + (totalEnergyRydberg == nil ? 0 : 1))),
                    "energies": .array((iterationEnergiesRydberg + (totalEnergyRydberg.map { [$0] } ?? [])).map { .number($0 * Units.electronvoltsPerRydberg) }),
                    "unit": "eV"],
        ]
        if let totalEnergyRydberg {
            result["total_energy"] = ["value": .number(totalEnergyRydberg * Units.electronvoltsPerRydberg), "unit": "eV", "rydberg": .number(totalEnergyRydberg)]
        }
        if let fermiEnergy { result["fermi_energy"] = ["value": .number(fermiEnergy), "unit": "eV"] }
        else if let highestOccupied { result["fermi_energy"] = ["value": .number(highestOccupied), "unit": "eV", "kind": "highest occupied level"] }
        if let wallSeconds { result["timing"] = ["wall_seconds": .number(wallSeconds)] }
        if !forces.isEmpty {
            // pw.x prints Ry/bohr; the catalog's unit is eV/Ang like SIESTA's.
            let factor = Units.electronvoltsPerRydberg / 0.529177210903
            result["forces"] = ["unit": "eV/Ang", "atoms": .array(forces.map { .array($0.map { .number($0 * factor) }) })]
        }
        if !finalCoordinates.isEmpty { result["geometry"] = ["atoms": .array(finalCoordinates)] }
        if !bandEnergies.isEmpty, let bandCount = bandEnergies.map(\.count).min(), bandCount > 0 {
            // One list per band across the k-points, as SIESTA's bands are reported.
            let bands = (0..<bandCount).map { band in JSON.array(bandEnergies.map { .number($0[band]) }) }
            result["bands"] = ["unit": "eV", "kpoints": .array(kpoints.map { .array($0.map(JSON.number)) }), "bands": .array(bands),
                               "fermi_energy": JSON(fermiEnergy ?? highestOccupied)]
        }
        return result
    }
}
