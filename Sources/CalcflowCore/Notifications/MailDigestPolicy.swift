/// When the mails about calculations that wait for one person go out as one digest instead of one
/// by one: a screening campaign finishes thousands of calculations an hour, and a mail for each
/// would bury their inbox (and the relay's sending quota).
///
/// Below `threshold` waiting mails, each goes on its own. From `threshold` on, all that wait go as
/// one digest; after a digest, that person's next mails wait until `windowSeconds` have passed
/// since it, and then go the same way: one digest per window while a burst lasts.
public struct MailDigestPolicy: Sendable, Equatable {
    public var threshold: Int
    public var windowSeconds: Int

    public init(threshold: Int = 5, windowSeconds: Int = 600) {
        self.threshold = threshold
        self.windowSeconds = windowSeconds
    }

    public enum Decision: Sendable, Equatable {
        case sendAlone
        case digest
        /// Not before this many seconds from now.
        case hold(seconds: Int)
    }

    /// `waiting`: the person's mails that are due now, the one being decided included.
    /// `secondsSinceLastDigest`: nil when they never had one.
    public func decide(waiting: Int, secondsSinceLastDigest: Int?) -> Decision {
        if let since = secondsSinceLastDigest, since < windowSeconds { return .hold(seconds: windowSeconds - since) }
        return waiting >= threshold ? .digest : .sendAlone
    }
}
