import Crypto
import Foundation
import JSON

/// The SHA-256 of what a calculation computes: its engine, configuration and steps, and the structure
/// it runs (the molecule's copy). Name, cluster, priority and analyses are left out: the same input
/// run elsewhere or extracted differently is still the same computation.
enum CalculationInputHash {
    /// Keys sorted and no whitespace (the printer's canonical form), line endings and trailing blanks
    /// of the structure normalised, so that equal inputs hash equally.
    static func of(engine: String, configuration: JSON, steps: JSON, structure: String?) -> String {
        let document: JSON = [
            "engine": .string(engine), "configuration": configuration, "steps": steps,
            "structure": structure.map { .string(normalised($0)) } ?? .null,
        ]
        return Hex.encode(SHA256.hash(document.serialized()))
    }

    static func normalised(_ structure: String) -> String {
        structure.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in String(line.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            .joined(separator: "\n").trimmingCharacters(in: .newlines)
    }
}
