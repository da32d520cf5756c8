@testable import CalcflowAPI
import CalcflowTestSupport
import Foundation
import MariaDB
import XCTest

/// Work that must happen once across API hosts runs under a lease row: the maintenance jobs, the
/// automatic predictions, the migrations.
final class LeaseTests: StackTestCase {
    func testOneHolderAtATimeUntilItExpiresOrIsReleased() throws {
        let first = try stack.database()
        let second = try stack.database()
        let name = "test-\(UUID().uuidString.prefix(8))"
        let hostA = Lease(name, holder: "host-a", seconds: 2)
        let hostB = Lease(name, holder: "host-b", seconds: 2)
        XCTAssertTrue(try hostA.acquire(on: first), "a new name is free")
        XCTAssertFalse(try hostB.acquire(on: second), "held by host-a")
        XCTAssertTrue(try hostA.acquire(on: first), "its holder renews it")
        XCTAssertEqual(try hostB.currentHolder(on: second), "host-a")
        Thread.sleep(forTimeInterval: 2.2)
        XCTAssertTrue(try hostB.acquire(on: second), "expired: host-b takes over")
        XCTAssertFalse(try hostA.acquire(on: first), "and host-a no longer holds it")
        try hostB.release(on: second)
        XCTAssertNil(try hostA.currentHolder(on: first))
        XCTAssertTrue(try hostA.acquire(on: first), "released: free at once")
    }

    func testTwelveHostsRacingForALeaseLeaveOneHolder() throws {
        let name = "race-\(UUID().uuidString.prefix(8))"
        let winners = Ledger<String>()
        let group = DispatchGroup()
        let stack = self.stack!
        for index in 0..<12 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? stack.database() else { return }
                if (try? Lease(name, holder: "host-\(index)", seconds: 30).acquire(on: connection)) == true { winners.record("host-\(index)") }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(winners.all.count, 1, "\(winners.all)")
        XCTAssertEqual(try Lease(name, holder: "someone", seconds: 1).currentHolder(on: stack.database()), winners.all.first)
    }

    /// A host that runs migrate while another host holds the migration lease waits, says so, and
    /// then finds nothing to apply.
    func testMigrationsRunOnceAndASecondHostWaitsForThem() throws {
        let other = try stack.database()
        let busy = Lease("migrations", holder: "other-host/4242", seconds: 30)
        XCTAssertTrue(try busy.acquire(on: other))
        let said = Ledger<String>()
        let finished = expectation(description: "the waiting migrate finished")
        let stack = self.stack!
        let applied = Ledger<[String]>()
        Thread.detachNewThread {
            if let connection = try? stack.database(), let names = try? Migrator().apply(on: connection, log: { said.record($0) }) { applied.record(names) }
            finished.fulfill()
        }
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(said.all.first, "waiting: other-host/4242 is applying migrations")
        XCTAssertTrue(applied.all.isEmpty, "it waits while the other host migrates")
        try busy.release(on: other)
        wait(for: [finished], timeout: 20)
        XCTAssertEqual(applied.all, [[]], "the stack's own migrate applied them all before")
        XCTAssertEqual(said.all.last, "the other host's migrations are done")
        XCTAssertNil(try busy.currentHolder(on: other), "released after")
    }
}
