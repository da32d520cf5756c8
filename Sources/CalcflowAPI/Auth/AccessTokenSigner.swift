import Crypto
import JSON

/// JWT access tokens, HS256 only: the header is checked, never trusted to choose the algorithm.
public struct AccessTokenSigner: Sendable {
    private let secret: [UInt8]
    public let lifetimeSeconds: Int64
    private static let issuer = "calcflow"
    /// Clocks of several API hosts disagree a little; a token "issued" slightly in the future is fine.
    private static let clockSkewSeconds: Int64 = 60
    private static let encodedHeader = Base64URL.encode(#"{"alg":"HS256","typ":"JWT"}"#)

    public init(secret: [UInt8], lifetimeSeconds: Int64) {
        self.secret = secret
        self.lifetimeSeconds = lifetimeSeconds
    }

    public func sign(userID: Int64, sessionEpoch: Int64, now: Int64) -> String {
        let payload: JSON = [
            "iss": .string(Self.issuer), "sub": .string(String(userID)), "sep": .integer(sessionEpoch),
            "iat": .integer(now), "exp": .integer(now + lifetimeSeconds),
        ]
        let signingInput = Self.encodedHeader + "." + Base64URL.encode(payload.serialized())
        let signature = HMACSHA256.authenticationCode(key: secret, message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed
        case wrongAlgorithm
        case badSignature
        case expired
        case notYetValid
    }

    public func verify(_ token: String, now: Int64) throws(Failure) -> AccessTokenClaims {
        // Three dot-separated parts, found on the UTF-8 bytes: this runs on every request.
        let utf8 = token.utf8
        guard let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = utf8[utf8.index(after: firstDot)...].firstIndex(of: UInt8(ascii: ".")),
              !utf8[utf8.index(after: secondDot)...].contains(UInt8(ascii: ".")) else { throw .malformed }
        // Only the exact header this signer writes is accepted: no "none", no key confusion.
        guard token[..<firstDot] == Self.encodedHeader else { throw .wrongAlgorithm }
        guard let payloadBytes = Base64URL.decode(token[utf8.index(after: firstDot)..<secondDot]),
              let signature = Base64URL.decode(token[utf8.index(after: secondDot)...]) else { throw .malformed }
        let expected = HMACSHA256.authenticationCode(key: secret, message: Array(utf8[..<secondDot]))
        guard ConstantTime.equals(expected, signature) else { throw .badSignature }
        guard let payload = try? JSON.parse(payloadBytes), payload["iss"]?.stringValue == Self.issuer,
              let subject = payload["sub"]?.stringValue, let userID = Int64(subject),
              let epoch = payload["sep"]?.integerValue, let issuedAt = payload["iat"]?.integerValue,
              let expiresAt = payload["exp"]?.integerValue else { throw .malformed }
        guard expiresAt > now else { throw .expired }
        guard issuedAt <= now + Self.clockSkewSeconds else { throw .notYetValid }
        return AccessTokenClaims(userID: userID, sessionEpoch: epoch, issuedAt: issuedAt, expiresAt: expiresAt)
    }
}
