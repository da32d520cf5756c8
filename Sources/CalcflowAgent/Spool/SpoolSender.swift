import Foundation
import JSON
import Logging

/// Sends the spool to the API in order. A retryable failure (network, 5xx) stops the round and
/// leaves the rest for the next; a refused update (4xx) is logged and dropped, since sending it
/// again cannot succeed.
///
/// What queued together goes in one `POST /agent/updates`: a campaign's calculations each report a
/// few events and analyses, and one request for all that is pending costs the API, nginx and the
/// database far less than one request each. An API too old to know batches answers 404 or 405,
/// and the sender goes back to one request per update.
struct SpoolSender {
    let spool: UpdateSpool
    let api: AgentAPI
    let logger: Logger
    /// Told of each update the API has accepted (or refused for good).
    var delivered: (UpdateSpool.Update) -> Void = { _ in }
    /// False once the API has answered that it has no batch route.
    private(set) var batchesAccepted = true

    static let largestBatch = 500
    /// Below the API's and nginx's 16 MiB limit for agent requests, with room for the wrapping.
    static let largestBatchBytes = 8 << 20

    init(spool: UpdateSpool, api: AgentAPI, logger: Logger, delivered: @escaping (UpdateSpool.Update) -> Void = { _ in }) {
        self.spool = spool
        self.api = api
        self.logger = logger
        self.delivered = delivered
    }

    /// True when the spool is empty afterwards. What was sent is acknowledged once per round (and
    /// before a failure ends it): after a crash in between, some updates go again, which events'
    /// `seq` and the idempotent uploads make harmless.
    @discardableResult
    mutating func sendPending() -> Bool {
        var sentThrough: Int?
        defer {
            if let sentThrough {
                do { try spool.acknowledge(through: sentThrough) } catch { logger.info("spool_error", metadata: ["error": "\(error)"]) }
            }
        }
        let pending = spool.pending()
        var next = 0
        while next < pending.count {
            let batch = batchesAccepted ? Self.batch(pending, from: next) : next..<(next + 1)
            let outcome = batch.count == 1 ? sendAlone(pending[next].update) : send(pending[batch].map(\.update))
            switch outcome {
            case .delivered(let count):
                guard count > 0 else { return false }
                for index in batch.prefix(count) { delivered(pending[index].update) }
                sentThrough = pending[next + count - 1].end
                next += count
                if count < batch.count { return false }
            case .batchesUnknown:
                batchesAccepted = false
            }
        }
        return true
    }

    private enum Outcome {
        /// The first `count` updates were accepted or refused for good; the rest wait for the next round.
        case delivered(count: Int)
        case batchesUnknown
    }

    /// The updates from `start` that go together: as many as fit the limits, in order. Updates
    /// other than a calculation's events and analyses (none today) go alone, on their own route.
    private static func batch(_ pending: [(update: UpdateSpool.Update, end: Int, size: Int)], from start: Int) -> Range<Int> {
        var end = start
        var bytes = 0
        while end < pending.count, end - start < largestBatch {
            guard isBatchable(pending[end].update), bytes + pending[end].size <= largestBatchBytes else { break }
            bytes += pending[end].size
            end += 1
        }
        return start..<max(end, start + 1)
    }

    private static func isBatchable(_ update: UpdateSpool.Update) -> Bool {
        update.path.hasPrefix("/agent/calculations/") && (update.method == "POST" || update.method == "PUT")
    }

    private func sendAlone(_ update: UpdateSpool.Update) -> Outcome {
        do {
            _ = try api.send(update.method, update.path, update.body)
        } catch where error.isRetryable {
            logger.info("spool_waiting", metadata: ["reason": "\(error)"])
            return .delivered(count: 0)
        } catch {
            logger.info("spool_refused", metadata: ["path": "\(update.path)", "reason": "\(error)"])
        }
        return .delivered(count: 1)
    }

    private func send(_ updates: [UpdateSpool.Update]) -> Outcome {
        let body: JSON = ["updates": .array(updates.map { ["method": .string($0.method), "path": .string($0.path), "body": $0.body] })]
        let answer: JSON
        do {
            answer = try api.send("POST", "/agent/updates", body).json
        } catch where error.status == 404 || error.status == 405 {
            logger.info("spool_batches_unknown", metadata: ["reason": "\(error)", "action": "sending one update per request"])
            return .batchesUnknown
        } catch where error.isRetryable {
            logger.info("spool_waiting", metadata: ["reason": "\(error)"])
            return .delivered(count: 0)
        } catch {
            // The batch itself refused (it should not be): each update alone gets its own answer.
            logger.info("spool_batch_refused", metadata: ["reason": "\(error)", "action": "sending one update per request"])
            return sendAlone(updates[0])
        }
        let results = answer["results"]?.arrayValue ?? []
        for (update, result) in zip(updates, results) where (result["status"]?.integerValue ?? 0) >= 400 {
            logger.info("spool_refused", metadata: [
                "path": "\(update.path)", "status": "\(result["status"]?.integerValue ?? 0)",
                "reason": "\(result["error"]?["message"]?.stringValue ?? "")",
            ])
        }
        if results.count < updates.count { logger.info("spool_waiting", metadata: ["reason": "the API applied \(results.count) of \(updates.count) updates"]) }
        return .delivered(count: min(results.count, updates.count))
    }
}
