import Crypto
import Foundation
import Logging
import Synchronization

/// What every worker thread shares, read-only: configuration, the token signer, the password hasher.
public final class APIServices: Sendable {
    public let configuration: APIConfiguration
    public let signer: AccessTokenSigner
    public let passwordHasher: Argon2id
    /// Verified against when the email is unknown, so a login takes as long either way.
    public let decoyPasswordHash: String
    public let openAPIDocument: [UInt8]?
    public let logger: Logger
    /// Raised by any change to a user, or to a cluster or its keys: every thread's cached rows go stale.
    public let userGeneration: CacheGeneration
    public let agentKeyGeneration: CacheGeneration
    public let catalogGeneration: CacheGeneration
    public let modelGeneration: CacheGeneration
    public let streamLimiter: StreamLimiter
    /// Prometheus' registry, behind swift-metrics.
    public let metrics = APIMetrics()
    public let heartbeats = HeartbeatBuffer()
    public let invocations = InvocationBuffer()
    let claimedOwners = ClaimedOwners()
    /// Agents' claims that wait for work; a quarter of the workers at most.
    let claimWakeups: ClaimWakeups
    /// How many worker threads were set up: each takes the next number.
    let workerCount = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    /// True once SIGTERM arrived: long-running handlers (streams) end so the threads can finish.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }
    public func markStopping() { stopping.store(true, ordering: .relaxed) }

    public init(configuration: APIConfiguration, logger: Logger, passwordHasher: Argon2id = Argon2id()) throws {
        self.configuration = configuration
        self.signer = AccessTokenSigner(secret: configuration.jwtSecret, lifetimeSeconds: Int64(configuration.accessTokenLifetimeSeconds))
        self.passwordHasher = passwordHasher
        self.decoyPasswordHash = try passwordHasher.hash(password: OpaqueToken.generate())
        self.openAPIDocument = FileManager.default.contents(atPath: configuration.openAPIFile).map { Array($0) }
        self.logger = logger
        self.userGeneration = CacheGeneration(lifetimeMilliseconds: configuration.userCacheMilliseconds)
        self.agentKeyGeneration = CacheGeneration(lifetimeMilliseconds: configuration.userCacheMilliseconds)
        self.catalogGeneration = CacheGeneration(lifetimeMilliseconds: configuration.userCacheMilliseconds)
        self.modelGeneration = CacheGeneration(lifetimeMilliseconds: configuration.userCacheMilliseconds)
        self.claimWakeups = ClaimWakeups(requestThreads: configuration.threads, streamThreads: configuration.streamThreads)
        // Two stream threads stay free to answer "too many streams" quickly.
        self.streamLimiter = StreamLimiter(capacity: max(1, configuration.streamThreads - 2), perUser: configuration.streamsPerUser)
        if openAPIDocument == nil {
            logger.warning("openapi_missing", metadata: ["file": "\(configuration.openAPIFile)"])
        }
    }
}
