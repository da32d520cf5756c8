import CalcflowCore
import JSON
import XCTest

final class PageRequestTests: XCTestCase {
    func testDefaultsAndBounds() throws {
        XCTAssertEqual(try PageRequest(limit: nil, cursor: nil), PageRequest(limit: 50, afterID: nil))
        XCTAssertEqual(try PageRequest(limit: "500", cursor: nil).limit, 500)
        for bad in ["0", "501", "-1", "ten", "1.5"] {
            XCTAssertThrowsError(try PageRequest(limit: bad, cursor: nil), bad)
        }
    }

    func testCursorsRoundTripAndForgeriesAreRefused() throws {
        let cursor = PageRequest.encodeCursor(afterID: 12345)
        XCTAssertEqual(try PageRequest(limit: nil, cursor: cursor).afterID, 12345)
        XCTAssertThrowsError(try PageRequest(limit: nil, cursor: "' OR 1=1 --"))
        let keyed = try PageRequest(limit: nil, cursor: PageRequest.encodeCursor(afterID: 77, key: "Benzène at 0.5 V & co"))
        XCTAssertEqual(keyed.afterID, 77)
        XCTAssertEqual(keyed.afterKey, "Benzène at 0.5 V & co")
        for forged in ["k2s.zz", "k2s.4", "k.41", "k2s.ff", "x12"] {
            XCTAssertThrowsError(try PageRequest(limit: nil, cursor: forged), forged)
        }
    }

    func testAPageHasANextCursorOnlyWhenMoreRowsExist() {
        let page = PageRequest(limit: 2)
        let full = page.page(of: [1, 2, 3] as [Int64], id: { $0 }, render: { .integer($0) })
        XCTAssertEqual(full["items"], [1, 2])
        XCTAssertEqual(full["next_cursor"], .string(PageRequest.encodeCursor(afterID: 2)))
        let last = page.page(of: [7] as [Int64], id: { $0 }, render: { .integer($0) })
        XCTAssertEqual(last["next_cursor"], .null)
    }
}
