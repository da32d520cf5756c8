import JSON

/// Reads xtb's output line by line: the SCC iterations, the total energy, and the traps that
/// ENVIRONMENT.md lists (xtb exits 0 on a failed optimisation).
public struct XTBOutputParser: Sendable {
    public private(set) var iterationEnergies: [Double] = []
    public private(set) var totalEnergyHartree: Double?
    public private(set) var sccConverged = false
    public private(set) var sccFailed = false
    public private(set) var optimisationConverged = false
    public private(set) var optimisationFailed = false
    public private(set) var normalTermination = false
    public private(set) var abnormalTermination = false
    public private(set) var version: String?
    public private(set) var wallSeconds: Double?
    private var inIterationTable = false

    public init() {}

    public mutating func consume(_ line: Substring) {
        let trimmed = line.drop(while: { $0 == " " })
        if trimmed.hasPrefix("iter      E") { inIterationTable = true; return }
        if inIterationTable {
            let fields = trimmed.split(separator: " ")
            if fields.count >= 2, Int(fields[0]) != nil, let energy = Double(fields[1]) {
                iterationEnergies.append(energy)
                return
            }
            if !trimmed.isEmpty { inIterationTable = false }
        }
        if trimmed.hasPrefix("| TOTAL ENERGY") {
            totalEnergyHartree = trimmed.split(separator: " ").compactMap { Double($0) }.first
        } else if trimmed.holds("convergence criteria satisfied") {
            sccConverged = true
        } else if trimmed.holds("convergence criteria cannot be satisfied") || trimmed.holds("did not converge") {
            sccFailed = true
        } else if trimmed.holds("GEOMETRY OPTIMIZATION CONVERGED") {
            optimisationConverged = true
        } else if trimmed.holds("FAILED TO CONVERGE GEOMETRY OPTIMIZATION") {
            optimisationFailed = true
        } else if trimmed.hasPrefix("abnormal termination of xtb") {
            abnormalTermination = true
        } else if trimmed.hasPrefix("normal termination of xtb") {
            normalTermination = true
        } else if trimmed.hasPrefix("* xtb version") {
            version = String(trimmed.dropFirst(2))
        } else if trimmed.hasPrefix("* wall-time:") && wallSeconds == nil {
            wallSeconds = Self.duration(trimmed)
        }
    }

    /// `* wall-time:     0 d,  0 h,  0 min,  0.041 sec`
    static func duration(_ line: Substring) -> Double? {
        let numbers = line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
        guard numbers.count == 4 else { return nil }
        return numbers[0] * 86_400 + numbers[1] * 3_600 + numbers[2] * 60 + numbers[3]
    }

    public func verdict(exitCode: Int32, optimisation: Bool) -> Verdict {
        if sccFailed { return .notConverged("the SCC did not converge") }
        if abnormalTermination || exitCode != 0 { return .failed("xtb ended abnormally (exit code \(exitCode))") }
        // The output's own word counts even when the caller did not say it was an optimisation (inspect).
        if optimisationFailed || (optimisation && !optimisationConverged) {
            return .notConverged("the geometry optimisation did not converge")
        }
        guard normalTermination, totalEnergyHartree != nil else { return .failed("xtb printed no total energy") }
        return .converged
    }

    /// The analyses xtb's output gives: scf and total_energy (eV), plus timing.
    public var analyses: [String: JSON] {
        var result: [String: JSON] = [
            "scf": ["converged": .bool(sccConverged && !sccFailed), "iterations": .integer(Int64(iterationEnergies.count)),
                    "energies": .array(iterationEnergies.map { .number($0 * Units.electronvoltsPerHartree) }), "unit": "eV"],
        ]
        if let totalEnergyHartree {
            result["total_energy"] = ["value": .number(totalEnergyHartree * Units.electronvoltsPerHartree), "unit": "eV",
                                      "hartree": .number(totalEnergyHartree)]
        }
        if let wallSeconds { result["timing"] = ["wall_seconds": .number(wallSeconds)] }
        return result
    }
}
