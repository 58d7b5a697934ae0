@testable import Sync
import XCTest

/// A worker's slot count follows a reloaded `sync.concurrency`: never two slots of one index, and
/// none missing once the count goes down and up again.
final class WorkerSlotTests: XCTestCase {
    func testSlotsAboveALowerCountEndAndARaisedCountStartsOnlyTheMissingOnes() {
        let table = SlotTable()
        XCTAssertEqual(table.claim(below: 3), [0, 1, 2])
        XCTAssertEqual(table.claim(below: 3), [], "running slots are not started twice")

        XCTAssertTrue(table.keeps(1, below: 2))
        XCTAssertFalse(table.keeps(2, below: 2), "slot 2 ends after its job when the count drops to 2")
        XCTAssertEqual(table.claim(below: 2), [])

        XCTAssertEqual(table.claim(below: 4), [2, 3], "the ended slot and a new one start")
        XCTAssertTrue(table.keeps(2, below: 4))
    }

    func testASlotStillRunningWhenTheCountComesBackIsKept() {
        let table = SlotTable()
        _ = table.claim(below: 2)
        // The count drops to 1 and is back to 2 before slot 1 looks: it carries on, and none is added.
        XCTAssertEqual(table.claim(below: 2), [])
        XCTAssertTrue(table.keeps(1, below: 2))
        XCTAssertFalse(table.keeps(0, below: 0), "stopping ends every slot")
        XCTAssertFalse(table.keeps(1, below: 0))
        XCTAssertEqual(table.claim(below: 2), [0, 1])
    }
}
