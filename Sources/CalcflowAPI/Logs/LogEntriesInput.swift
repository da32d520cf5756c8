import CalcflowCore
import Foundation

/// The body of `POST /agent/logs` and `POST /controller/logs`: `{"entries": [{ts, level, message, ...}]}`,
/// read strictly. An agent's entries may name a calculation; a controller's name their model.
enum LogEntriesInput {
    enum Source {
        case agent
        case controller
    }

    static func read(_ context: RequestContext, source: Source) throws -> [LogStore.Entry] {
        var input = try context.request.inputObject()
        let shape = source == .agent ? "{ts, level, message, calculation_id?}" : "{ts, level, message, model_id}"
        guard case .array(let entries)? = try input.json("entries", required: true) else {
            throw ValidationError(field: "entries", message: "must be a list of \(shape)")
        }
        try input.rejectUnknownFields()
        guard entries.count <= 10_000 else { throw ValidationError(field: "entries", message: "send at most 10000 entries at a time") }
        var parsed: [LogStore.Entry] = []
        for (index, entry) in entries.enumerated() {
            var fields = try InputObject(entry, path: "entries[\(index)]")
            let time = try TimeParameter.parse(try fields.string("ts", required: true, maxLength: 64), field: "entries[\(index)].ts") ?? Date()
            let level = try fields.choice("level", of: LogStore.Level.self, required: true) ?? .info
            let message = try fields.string("message", required: true, maxLength: 100_000) ?? ""
            var entry = LogStore.Entry(time: time, level: level, message: message, calculationID: nil)
            switch source {
            case .agent: entry.calculationID = try fields.integer("calculation_id", range: 1...Int64.max)
            case .controller: entry.modelID = try fields.integer("model_id", required: true, range: 1...Int64.max)
            }
            try fields.rejectUnknownFields()
            parsed.append(entry)
        }
        return parsed
    }
}
