import Foundation
import Logging
import MariaDB
import Synchronization

/// A thread of its own that runs `work` every `interval` with its own database connection, until
/// stopped. Used by the mail sender and the maintenance jobs.
final class BackgroundLoop: Sendable {
    private let name: String
    private let intervalMilliseconds: Int
    /// Run `work` once more after `stop()`: for writers whose last batch must not be lost.
    private let finalRound: Bool
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, intervalMilliseconds: Int, finalRound: Bool = false) {
        self.name = name
        self.intervalMilliseconds = intervalMilliseconds
        self.finalRound = finalRound
    }

    func start(services: APIServices, work: @escaping @Sendable (Connection) throws -> Void) {
        start(services: services, makeState: {}) { connection, _ in try work(connection) }
    }

    /// With a `State` made on the loop's thread and kept for its life (a mail transport, say), so that
    /// it is not made again each round.
    func start<State>(services: APIServices, makeState: @escaping @Sendable () -> State,
                      work: @escaping @Sendable (Connection, State) throws -> Void) {
        let thread = Thread { [self] in
            let state = makeState()
            var connection: Connection?
            while !stopped.load(ordering: .relaxed) {
                do {
                    if connection == nil { connection = try Connection(configuration: services.configuration.database) }
                    if let connection { try work(connection, state) }
                } catch let error as DatabaseError where error.code == .connectionLost || error.code == .connectionFailed {
                    connection = nil
                    services.logger.warning("\(name)_database_unreachable", metadata: ["error": "\(error)"])
                } catch {
                    services.logger.error("\(name)_failed", metadata: ["error": "\(error)"])
                }
                // Sleep in short steps so that stop() is prompt.
                var slept = 0
                while slept < intervalMilliseconds && !stopped.load(ordering: .relaxed) {
                    let step = min(50, intervalMilliseconds - slept)
                    Thread.sleep(forTimeInterval: Double(step) / 1_000)
                    slept += step
                }
            }
            if finalRound {
                do {
                    try work(connection ?? Connection(configuration: services.configuration.database), state)
                } catch {
                    services.logger.error("\(name)_final_round_failed", metadata: ["error": "\(error)"])
                }
            }
            finished.signal()
        }
        thread.name = "calcflow-\(name)"
        thread.start()
    }

    /// Stops after the current round and waits for it.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
    }
}
