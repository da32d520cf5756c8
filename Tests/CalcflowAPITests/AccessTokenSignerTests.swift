@testable import CalcflowAPI
import Crypto
import JSON
import XCTest

final class AccessTokenSignerTests: XCTestCase {
    let signer = AccessTokenSigner(secret: Array("0123456789abcdef0123456789abcdef".utf8), lifetimeSeconds: 900)
    let now: Int64 = 1_800_000_000

    func testASignedTokenVerifiesWithItsClaims() throws {
        let token = signer.sign(userID: 42, sessionEpoch: 3, now: now)
        let claims = try signer.verify(token, now: now + 10)
        XCTAssertEqual(claims, AccessTokenClaims(userID: 42, sessionEpoch: 3, issuedAt: now, expiresAt: now + 900))
    }

    func testTokensExpireAfterTheirLifetime() {
        let token = signer.sign(userID: 42, sessionEpoch: 0, now: now)
        XCTAssertThrowsError(try signer.verify(token, now: now + 900)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .expired) }
    }

    func testARememberedTokenStillExpiresAndAForgedOneIsNeverRemembered() throws {
        var tokens = VerifiedTokens()
        let token = signer.sign(userID: 42, sessionEpoch: 3, now: now)
        XCTAssertEqual(try tokens.verify(token, now: now, signer: signer).userID, 42)
        XCTAssertEqual(try tokens.verify(token, now: now + 899, signer: signer).userID, 42)
        XCTAssertThrowsError(try tokens.verify(token, now: now + 900, signer: signer)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .expired) }

        let forged = tokenWithAForgedPayload()
        for _ in 0..<2 {
            XCTAssertThrowsError(try tokens.verify(forged, now: now, signer: signer)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .badSignature) }
        }
    }

    func testTokensFromTheFutureAreRefused() {
        let token = signer.sign(userID: 42, sessionEpoch: 0, now: now + 3600)
        XCTAssertThrowsError(try signer.verify(token, now: now)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .notYetValid) }
    }

    /// User 42's token with its payload changed to user 1's, the signature kept.
    func tokenWithAForgedPayload() -> String {
        let parts = signer.sign(userID: 42, sessionEpoch: 0, now: now).split(separator: ".")
        let forged: JSON = ["iss": "calcflow", "sub": "1", "sep": 0, "iat": .integer(now), "exp": .integer(now + 900)]
        return "\(parts[0]).\(Base64URL.encode(forged.serialized())).\(parts[2])"
    }

    func testATamperedPayloadFailsTheSignature() throws {
        XCTAssertThrowsError(try signer.verify(tokenWithAForgedPayload(), now: now)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .badSignature) }
    }

    func testTheAlgorithmIsPinned() {
        let parts = signer.sign(userID: 42, sessionEpoch: 0, now: now).split(separator: ".")
        let none = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#)
        XCTAssertThrowsError(try signer.verify("\(none).\(parts[1]).", now: now)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .wrongAlgorithm) }
    }

    func testAnotherSecretsTokenIsRefused() {
        let other = AccessTokenSigner(secret: Array("another secret of thirty-two bytes".utf8), lifetimeSeconds: 900)
        XCTAssertThrowsError(try signer.verify(other.sign(userID: 1, sessionEpoch: 0, now: now), now: now))
    }

    /// A 32-byte signature leaves two padding bits in its last character: setting one gives a second
    /// spelling of the same bytes, which must not verify.
    func testASignatureRespelledWithPaddingBitsIsRefused() throws {
        let token = signer.sign(userID: 42, sessionEpoch: 0, now: now)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = token.last!
        let index = alphabet.firstIndex(of: last)!
        XCTAssertEqual(index & 3, 0, "a canonical last character has zero padding bits")
        let respelled = String(token.dropLast()) + String(alphabet[index | 1])
        XCTAssertNoThrow(try signer.verify(token, now: now))
        XCTAssertThrowsError(try signer.verify(respelled, now: now)) { XCTAssertEqual($0 as? AccessTokenSigner.Failure, .malformed) }
    }

    func testGarbageIsMalformed() {
        for garbage in ["", "a.b", "a.b.c.d", "!!!.???.***"] {
            XCTAssertThrowsError(try signer.verify(garbage, now: now), garbage)
        }
    }
}
