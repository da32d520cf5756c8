@testable import CalcflowAPI
import XCTest

/// What the search box's text becomes: a literal LIKE pattern, and full-text words the index can use.
final class SearchPatternTests: XCTestCase {
    func testLikeTakesWildcardsLiterally() {
        XCTAssertEqual(SearchPattern.containing("50%_a\\b"), "%50\\%\\_a\\\\b%")
    }

    func testFullTextWordsAreRequiredPrefixesWithoutOperators() {
        XCTAssertEqual(SearchPattern.fullTextWords("Benzene at 0.5 V"), "+benzene*")
        XCTAssertEqual(SearchPattern.fullTextWords("water +dimer -(\"the\" test*)"), "+water* +dimer* +test*", "operators and stopwords go")
        XCTAssertNil(SearchPattern.fullTextWords("Si O2"), "too short for the index: LIKE alone")
        XCTAssertNil(SearchPattern.fullTextWords(String(repeating: "a", count: 20_000)), "longer than any indexed word")
    }
}
