import Crypto
import XCTest

final class CryptoTests: XCTestCase {
    func testSHA256KnownAnswer() {
        XCTAssertEqual(SHA256.hexDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// RFC 4231, test case 2.
    func testHMACSHA256KnownAnswer() {
        let code = HMACSHA256.authenticationCode(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        XCTAssertEqual(Hex.encode(code), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testBase64URLRoundTripsEveryLength() {
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let encoded = Base64URL.encode(bytes)
            XCTAssertFalse(encoded.contains("=") || encoded.contains("+") || encoded.contains("/"))
            XCTAssertEqual(Base64URL.decode(encoded), bytes)
        }
        XCTAssertEqual(Base64URL.encode("hello?"), "aGVsbG8_")
        XCTAssertNil(Base64URL.decode("a"))
        XCTAssertNil(Base64URL.decode("ab=="))
        XCTAssertNil(Base64URL.decode("a+b/"))
    }

    /// "aGk" is "hi"; "aGl" spells the same bytes with a non-zero padding bit, and must not decode.
    func testBase64URLRefusesNonZeroPaddingBits() {
        XCTAssertEqual(Base64URL.decode("aGk"), Array("hi".utf8))
        XCTAssertNil(Base64URL.decode("aGl"))
        XCTAssertEqual(Base64URL.decode("aA"), [0x68])
        XCTAssertNil(Base64URL.decode("aB"))
        XCTAssertNil(Base64URL.decode("aP"))
    }

    func testConstantTimeEquality() {
        XCTAssertTrue(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equals([1, 2], [1, 2, 3]))
    }

    func testRandomBytesDiffer() {
        XCTAssertEqual(SecureRandom.bytes(32).count, 32)
        XCTAssertNotEqual(SecureRandom.bytes(16), SecureRandom.bytes(16))
    }

    func testArgon2idHashesVerifyAndCarryTheirParameters() throws {
        let hasher = Argon2id()
        let hash = try hasher.hash(password: "correct horse battery staple")
        XCTAssertTrue(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"), hash)
        XCTAssertTrue(Argon2id.verify(password: "correct horse battery staple", encoded: hash))
        XCTAssertFalse(Argon2id.verify(password: "correct horse battery stapler", encoded: hash))
        XCTAssertFalse(Argon2id.verify(password: "anything", encoded: "not a hash"))
        XCTAssertNotEqual(try hasher.hash(password: "same"), try hasher.hash(password: "same"), "salts must differ")
    }
}
