import CalcflowCore
import XCTest

final class MailDigestPolicyTests: XCTestCase {
    let policy = MailDigestPolicy(threshold: 5, windowSeconds: 600)

    func testAFewMailsGoOneByOne() {
        XCTAssertEqual(policy.decide(waiting: 1, secondsSinceLastDigest: nil), .sendAlone)
        XCTAssertEqual(policy.decide(waiting: 4, secondsSinceLastDigest: 3_600), .sendAlone)
    }

    func testABurstGoesAsOneDigest() {
        XCTAssertEqual(policy.decide(waiting: 5, secondsSinceLastDigest: nil), .digest)
        XCTAssertEqual(policy.decide(waiting: 900, secondsSinceLastDigest: 601), .digest)
    }

    func testAfterADigestTheNextMailsWaitForTheWindowToPass() {
        XCTAssertEqual(policy.decide(waiting: 1, secondsSinceLastDigest: 0), .hold(seconds: 600))
        XCTAssertEqual(policy.decide(waiting: 300, secondsSinceLastDigest: 420), .hold(seconds: 180))
        XCTAssertEqual(policy.decide(waiting: 1, secondsSinceLastDigest: 600), .sendAlone)
    }
}
