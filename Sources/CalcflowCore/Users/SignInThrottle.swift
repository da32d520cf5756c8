/// Whether a sign-in may be tried now, from the failures the database counted. Counted per email
/// *and* address together, so that one person's typos slow only that person, with much larger
/// ceilings per email and per address behind it:
/// - a pair (email, address) has `freeFailures` free tries, then waits 1 s, doubling up to `maximumDelay`;
/// - an email failed `emailCeiling` times in the window from anywhere: addresses where its user signed in
///   before may try once per `knownAddressInterval`; other addresses wait for the window to pass;
/// - an address failed `addressCeiling` times in the window, for any emails: it waits for the window.
/// So an attacker elsewhere keeps a user from a known address out for at most `knownAddressInterval`,
/// and a brute force of one email stays at `emailCeiling` guesses per window, as slow as before.
public struct SignInThrottle: Sendable, Equatable {
    public var windowSeconds: Int64 = 900
    public var freeFailures: Int64 = 5
    public var maximumDelay: Int64 = 300
    public var emailCeiling: Int64 = 30
    public var addressCeiling: Int64 = 100
    public var knownAddressInterval: Int64 = 60

    public init() {}

    /// The failures within the window, the new attempt's own counted in (it is recorded first, so
    /// that concurrent attempts all count), and how long ago the previous ones were.
    public struct Counts: Sendable, Equatable {
        public var pairFailures: Int64
        /// Seconds since the pair's previous failure, nil when there is none.
        public var sincePairFailure: Int64?
        public var emailFailures: Int64
        public var addressFailures: Int64
        /// Seconds since the oldest failure of the window for this email and for this address,
        /// which tells when a ceiling frees again.
        public var oldestEmailFailureAge: Int64
        public var oldestAddressFailureAge: Int64
        /// Whether the email's user signed in from this address before.
        public var addressIsKnown: Bool

        public init(pairFailures: Int64, sincePairFailure: Int64?, emailFailures: Int64, addressFailures: Int64,
                    oldestEmailFailureAge: Int64 = 0, oldestAddressFailureAge: Int64 = 0, addressIsKnown: Bool) {
            self.pairFailures = pairFailures
            self.sincePairFailure = sincePairFailure
            self.emailFailures = emailFailures
            self.addressFailures = addressFailures
            self.oldestEmailFailureAge = oldestEmailFailureAge
            self.oldestAddressFailureAge = oldestAddressFailureAge
            self.addressIsKnown = addressIsKnown
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused: try again after this many seconds.
        case wait(seconds: Int64)
    }

    /// The pair's delay after `failures` earlier failures.
    public func delay(afterFailures failures: Int64) -> Int64 {
        guard failures >= freeFailures else { return 0 }
        let doublings = failures - freeFailures
        return doublings >= 20 ? maximumDelay : min(maximumDelay, Int64(1) << doublings)
    }

    public func decide(_ counts: Counts) -> Decision {
        // The earlier failures, without this attempt's own row.
        let earlierPair = counts.pairFailures - 1
        let sincePair = counts.sincePairFailure ?? windowSeconds
        var wait: Int64 = max(0, delay(afterFailures: earlierPair) - sincePair)
        if counts.emailFailures - 1 >= emailCeiling {
            wait = max(wait, counts.addressIsKnown ? max(0, knownAddressInterval - sincePair)
                                                   : max(1, windowSeconds - counts.oldestEmailFailureAge))
        }
        if counts.addressFailures - 1 >= addressCeiling && !counts.addressIsKnown {
            wait = max(wait, max(1, windowSeconds - counts.oldestAddressFailureAge))
        }
        return wait > 0 ? .wait(seconds: wait) : .allowed
    }
}
