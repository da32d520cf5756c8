import Foundation
import Logging

/// Sends the spool to the API in order. A retryable failure (network, 5xx) stops the round and
/// leaves the rest for the next; a refused update (4xx) is logged and dropped, since sending it
/// again cannot succeed.
struct SpoolSender {
    let spool: UpdateSpool
    let api: AgentAPI
    let logger: Logger
    /// Told of each update the API has accepted (or refused for good).
    var delivered: (UpdateSpool.Update) -> Void = { _ in }

    /// True when the spool is empty afterwards. What was sent is acknowledged once per round (and
    /// before a failure ends it): after a crash in between, some updates go again, which events'
    /// `seq` and the idempotent uploads make harmless.
    @discardableResult
    func sendPending() -> Bool {
        var sentThrough: Int?
        defer {
            if let sentThrough {
                do { try spool.acknowledge(through: sentThrough) } catch { logger.info("spool_error", metadata: ["error": "\(error)"]) }
            }
        }
        for (update, end) in spool.pending() {
            do {
                _ = try api.send(update.method, update.path, update.body)
            } catch where error.isRetryable {
                logger.info("spool_waiting", metadata: ["reason": "\(error)"])
                return false
            } catch {
                logger.info("spool_refused", metadata: ["path": "\(update.path)", "reason": "\(error)"])
            }
            sentThrough = end
            delivered(update)
        }
        return true
    }
}
