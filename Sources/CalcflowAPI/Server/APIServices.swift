import Crypto
import Foundation
import Logging

/// What every worker thread shares, read-only: configuration, the token signer, the password hasher.
public struct APIServices: Sendable {
    public let configuration: APIConfiguration
    public let signer: AccessTokenSigner
    public let passwordHasher: Argon2id
    /// Verified against when the email is unknown, so a login takes as long either way.
    public let decoyPasswordHash: String
    public let openAPIDocument: [UInt8]?
    public let logger: Logger
    public let userCache: SignedInUserCache

    public init(configuration: APIConfiguration, logger: Logger, passwordHasher: Argon2id = Argon2id()) throws {
        self.configuration = configuration
        self.signer = AccessTokenSigner(secret: configuration.jwtSecret, lifetimeSeconds: Int64(configuration.accessTokenLifetimeSeconds))
        self.passwordHasher = passwordHasher
        self.decoyPasswordHash = try passwordHasher.hash(password: OpaqueToken.generate())
        self.openAPIDocument = FileManager.default.contents(atPath: configuration.openAPIFile).map { Array($0) }
        self.logger = logger
        self.userCache = SignedInUserCache(lifetimeMilliseconds: configuration.userCacheMilliseconds)
        if openAPIDocument == nil {
            logger.warning("event=openapi_missing file=\(configuration.openAPIFile)")
        }
    }
}
