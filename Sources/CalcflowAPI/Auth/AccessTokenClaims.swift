/// What an access token says: who, which session epoch, and when it stops being good.
public struct AccessTokenClaims: Sendable, Equatable {
    public var userID: Int64
    public var sessionEpoch: Int64
    public var issuedAt: Int64
    public var expiresAt: Int64
}
