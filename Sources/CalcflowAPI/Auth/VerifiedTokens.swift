/// One worker thread's access tokens whose signature it has checked, by their exact text: a browser
/// or a script sends the same token for its whole lifetime, and the HMAC and JSON parsing cost more
/// than the rest of a small request. Times are checked again on every use; the user row (and so a
/// session ended by a logout or a password change) is looked up as before.
struct VerifiedTokens {
    private var claims: [String: AccessTokenClaims] = [:]
    private let capacity = 1_000

    mutating func verify(_ token: String, now: Int64, signer: AccessTokenSigner) throws(AccessTokenSigner.Failure) -> AccessTokenClaims {
        if let known = claims[token] {
            guard known.expiresAt > now else {
                claims[token] = nil
                throw .expired
            }
            return known
        }
        let verified = try signer.verify(token, now: now)
        if claims.count >= capacity { claims.removeAll(keepingCapacity: true) }
        claims[token] = verified
        return verified
    }
}
