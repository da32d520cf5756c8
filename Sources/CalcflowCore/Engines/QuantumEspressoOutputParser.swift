import JSON

/// Reads pw.x's output line by line. Its traps, each read from its own line, never from `JOB DONE.`
/// (printed after a failed SCF, a relaxation stopped by `nstep` and a wall time run out alike):
/// - an SCF that stopped without converging (`convergence NOT achieved`);
/// - an SCF that says "convergence has been achieved" above its own threshold, which pw.x 6.7 prints
///   when `scf_must_converge = .false.` lets it stop at `electron_maxstep`: the last
///   `estimated scf accuracy` is compared with the `scf convergence threshold`;
/// - a relaxation stopped by `nstep` (`The maximum number of steps has been reached.`, then
///   `End of BFGS Geometry Optimization` and exit code 3), or one whose BFGS history failed;
/// - the wall time running out (`Maximum CPU time exceeded`, `max_seconds`);
/// - an error block (`%%%%`), a wrong charge, or no `JOB DONE.` at all (a crash).
public struct QuantumEspressoOutputParser: Sendable {
    /// One self-consistent cycle: one per ionic step of a relaxation, one for a single point.
    public struct SCFCycle: Sendable, Equatable {
        public var iterationEnergiesRydberg: [Double] = []
        public var totalEnergyRydberg: Double?
        public var lastAccuracyRydberg: Double?
        public var converged = false
        public var notConverged = false
    }

    public private(set) var cycles: [SCFCycle] = []
    private var cycleOpen = false
    public private(set) var thresholdRydberg: Double?
    public private(set) var fermiEnergy: Double?
    public private(set) var highestOccupied: Double?
    public private(set) var jobDone = false
    public private(set) var bandsDone = false
    public private(set) var version: String?
    public private(set) var wallSeconds: Double?
    public private(set) var errorMessage: String?
    /// A geometry optimisation (BFGS) ran, and how it ended.
    public private(set) var geometryOptimisation = false
    public private(set) var maximumStepsReached = false
    public private(set) var bfgsConverged = false
    public private(set) var bfgsFailed = false
    public private(set) var wallTimeExceeded = false
    public private(set) var wrongCharge = false
    /// The last `ATOMIC_POSITIONS` and `CELL_PARAMETERS` cards printed: where a relaxation goes on from.
    public private(set) var lastPositionsCard: [String] = []
    public private(set) var lastCellCard: [String] = []
    private var readingCard: CardKind?
    private enum CardKind { case positions, cell }
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

    /// The final total energy: the last cycle's (after a relaxation, the relaxed structure's).
    public var totalEnergyRydberg: Double? { cycles.last?.totalEnergyRydberg }
    public var iterationEnergiesRydberg: [Double] { cycles.last?.iterationEnergiesRydberg ?? [] }

    private mutating func currentCycle() -> Int {
        if !cycleOpen {
            cycles.append(SCFCycle())
            cycleOpen = true
        }
        return cycles.count - 1
    }

    public mutating func consume(_ line: Substring) {
        let trimmed = line.drop(while: { $0 == " " })
        if trimmed.hasPrefix("End of self-consistent calculation") || trimmed.hasPrefix("End of band structure calculation") {
            kpoints = []
            bandEnergies = []
        }
        if trimmed.hasPrefix("k =") && trimmed.holds("bands (ev)") {
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
        } else if trimmed.hasPrefix("atom") && trimmed.holds("force =") {
            forces.append(Self.numbers(trimmed[trimmed.index(after: trimmed.firstIndex(of: "=")!)...]))
            return
        } else if trimmed.hasPrefix("Begin final coordinates") {
            finalCoordinates = []
            readingFinalCoordinates = true
            return
        } else if trimmed.hasPrefix("End final coordinates") {
            readingFinalCoordinates = false
            return
        } else if readingFinalCoordinates, let atom = Self.atom(trimmed) {
            finalCoordinates.append(atom)
        }
        // Cards pw.x prints at each ionic step: a header, then rows, then a blank line.
        if trimmed.hasPrefix("ATOMIC_POSITIONS") {
            lastPositionsCard = [String(trimmed)]
            readingCard = .positions
            return
        } else if trimmed.hasPrefix("CELL_PARAMETERS") {
            lastCellCard = [String(trimmed)]
            readingCard = .cell
            return
        } else if let card = readingCard {
            if trimmed.isEmpty || trimmed.hasPrefix("End final coordinates") || trimmed.hasPrefix("Writing") {
                readingCard = nil
            } else {
                switch card {
                case .positions: lastPositionsCard.append(String(trimmed))
                case .cell: lastCellCard.append(String(trimmed))
                }
                return
            }
        }
        if readingFinalCoordinates { return }
        if trimmed.hasPrefix("!") && trimmed.holds("total energy") {
            cycles[currentCycle()].totalEnergyRydberg = Self.number(after: "=", in: trimmed)
        } else if trimmed.hasPrefix("total energy") && trimmed.holds("=") && trimmed.hasSuffix("Ry") {
            if let energy = Self.number(after: "=", in: trimmed) { cycles[currentCycle()].iterationEnergiesRydberg.append(energy) }
        } else if trimmed.hasPrefix("estimated scf accuracy") {
            cycles[currentCycle()].lastAccuracyRydberg = Self.number(after: "<", in: trimmed)
        } else if trimmed.hasPrefix("convergence has been achieved") {
            cycles[currentCycle()].converged = true
            cycleOpen = false
        } else if trimmed.hasPrefix("convergence NOT achieved") {
            cycles[currentCycle()].notConverged = true
            cycleOpen = false
        } else if trimmed.hasPrefix("scf convergence threshold") {
            thresholdRydberg = Self.number(after: "=", in: trimmed)
        } else if trimmed.hasPrefix("BFGS Geometry Optimization") {
            geometryOptimisation = true
        } else if trimmed.hasPrefix("The maximum number of steps has been reached") {
            maximumStepsReached = true
        } else if trimmed.hasPrefix("bfgs converged in") {
            bfgsConverged = true
        } else if trimmed.hasPrefix("history already reset at previous step") || trimmed.hasPrefix("bfgs failed") {
            bfgsFailed = true
        } else if trimmed.hasPrefix("Maximum CPU time exceeded") {
            wallTimeExceeded = true
        } else if trimmed.holds("charge is wrong") {
            wrongCharge = true
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
        } else if trimmed.hasPrefix("PWSCF") && trimmed.holds("WALL") {
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

    /// `Si 0.25 0.25 0.25` of an ATOMIC_POSITIONS card, as an atom.
    static func atom(_ row: Substring) -> JSON? {
        let fields = row.split(separator: " ")
        guard fields.count >= 4, fields[0].first?.isLetter == true,
              let x = Double(fields[1]), let y = Double(fields[2]), let z = Double(fields[3]) else { return nil }
        return ["element": .string(String(fields[0])), "x": .number(x), "y": .number(y), "z": .number(z)]
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

    /// What the run says, for a `calculation` of the input ("scf", "relax", "vc-relax", "bands"...).
    /// A relaxation is judged as one: every ionic step's SCF must have converged, and BFGS too.
    public func verdict(exitCode: Int32, calculation: String) -> Verdict {
        let relaxation = calculation == "relax" || calculation == "vc-relax" || geometryOptimisation
        if let errorMessage { return .failed("pw.x: \(errorMessage)") }
        if wrongCharge { return .failed("pw.x found the electronic charge wrong (check tot_charge, occupations and the pseudopotentials' valence)") }
        if wallTimeExceeded {
            return .notConverged("pw.x stopped when its time ran out (max_seconds) before it converged" + (relaxation ? ", after \(cycles.count) ionic step(s)" : ""))
        }
        for (index, cycle) in cycles.enumerated() {
            let step = relaxation ? " of ionic step \(index + 1)" : ""
            if cycle.notConverged { return .notConverged("the SCF\(step) did not converge") }
            if let threshold = thresholdRydberg, let accuracy = cycle.lastAccuracyRydberg, accuracy > threshold, cycle.converged {
                return .notConverged("the SCF\(step) stopped at an estimated accuracy of \(accuracy) Ry, above its threshold of \(threshold) Ry "
                                     + "(pw.x printed 'convergence has been achieved' because scf_must_converge is false)")
            }
        }
        if relaxation {
            let steps = cycles.count
            if maximumStepsReached {
                return .notConverged("the geometry did not converge in \(steps) ionic step\(steps == 1 ? "" : "s") (nstep was reached)")
            }
            if bfgsFailed { return .notConverged("the geometry optimisation stopped: the BFGS history failed after \(steps) ionic step(s)") }
            if !bfgsConverged {
                if exitCode != 0 { return .failed("pw.x exited with code \(exitCode) during the geometry optimisation, after \(steps) ionic step(s)") }
                return .failed("pw.x printed no converged geometry (no 'bfgs converged') after \(steps) ionic step(s)")
            }
        }
        if exitCode != 0 { return .failed("pw.x exited with code \(exitCode)") }
        guard jobDone else { return .failed("pw.x stopped before JOB DONE (a crash, or the run was killed)") }
        if calculation == "bands" { return bandsDone ? .converged : .failed("pw.x did not finish the band structure") }
        guard let last = cycles.last, last.converged, last.totalEnergyRydberg != nil else {
            return .failed("pw.x printed no converged total energy")
        }
        return .converged
    }

    /// The `calculation` of a pw.x input ("scf" when it says none).
    public static func calculation(ofInput input: String) -> String {
        for line in input.split(separator: "\n") {
            let text = line.lowercased()
            guard let range = text.range(of: "calculation") else { continue }
            let rest = text[range.upperBound...].drop { $0 == " " }
            guard rest.first == "=" else { continue }
            let value = rest.dropFirst().drop { $0 == " " || $0 == "'" || $0 == "\"" }.prefix { $0 != "'" && $0 != "\"" && $0 != "," && $0 != " " }
            if !value.isEmpty { return String(value) }
        }
        return "scf"
    }

    public var analyses: [String: JSON] {
        // The last cycle at the top (what a single point has), and every ionic step apart.
        func energies(_ cycle: SCFCycle?) -> [JSON] {
            ((cycle?.iterationEnergiesRydberg ?? []) + (cycle?.totalEnergyRydberg.map { [$0] } ?? [])).map { .number($0 * Units.electronvoltsPerRydberg) }
        }
        let allConverged = !cycles.isEmpty && cycles.allSatisfy { cycle in
            cycle.converged && !cycle.notConverged && !(thresholdRydberg.map { threshold in (cycle.lastAccuracyRydberg ?? 0) > threshold } ?? false)
        }
        var scf: [String: JSON] = [
            "converged": .bool(allConverged), "iterations": .integer(Int64(energies(cycles.last).count)),
            "energies": .array(energies(cycles.last)), "unit": "eV",
        ]
        if cycles.count > 1 || geometryOptimisation {
            scf["ionic_steps"] = .array(cycles.map { cycle in
                ["converged": .bool(cycle.converged && !cycle.notConverged), "iterations": .integer(Int64(energies(cycle).count)),
                 "energies": .array(energies(cycle)), "accuracy_ry": JSON(cycle.lastAccuracyRydberg)]
            })
        }
        var result: [String: JSON] = ["scf": .object(scf)]
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
        if !finalCoordinates.isEmpty {
            result["geometry"] = ["atoms": .array(finalCoordinates), "final": true]
        } else if geometryOptimisation, lastPositionsCard.count > 1 {
            // Not converged: the last geometry it reached, which a restart goes on from.
            result["geometry"] = ["atoms": .array(lastPositionsCard.dropFirst().compactMap { Self.atom($0[...]) }), "final": false]
        }
        if !bandEnergies.isEmpty, let bandCount = bandEnergies.map(\.count).min(), bandCount > 0 {
            // One list per band across the k-points, as SIESTA's bands are reported.
            let bands = (0..<bandCount).map { band in JSON.array(bandEnergies.map { .number($0[band]) }) }
            result["bands"] = ["unit": "eV", "kpoints": .array(kpoints.map { .array($0.map(JSON.number)) }), "bands": .array(bands),
                               "fermi_energy": JSON(fermiEnergy ?? highestOccupied)]
        }
        return result
    }
}
