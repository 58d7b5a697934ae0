import XCTest
@testable import Redis

final class BlockTimeTests: XCTestCase {
    func testReadsTheBlockTimeOfEachBlockingCommand() {
        XCTAssertEqual(BlockTime(of: ["BLPOP", "a", "b", "1.5"]), .seconds(1.5))
        XCTAssertEqual(BlockTime(of: ["blmove", "a", "b", "LEFT", "RIGHT", "2"]), .seconds(2))
        XCTAssertEqual(BlockTime(of: ["BZPOPMIN", "z", "3"]), .seconds(3))
        XCTAssertEqual(BlockTime(of: ["BZMPOP", "4", "1", "z", "MIN"]), .seconds(4))
        XCTAssertEqual(BlockTime(of: ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "500", "STREAMS", "s", ">"]), .seconds(0.5))
        XCTAssertEqual(BlockTime(of: ["WAIT", "1", "250"]), .seconds(0.25))
    }

    func testZeroMeansForeverAndNonBlockingCommandsHaveNone() {
        XCTAssertEqual(BlockTime(of: ["BRPOP", "q", "0"]), .forever)
        XCTAssertNil(BlockTime(of: ["GET", "k"]))
        XCTAssertNil(BlockTime(of: ["XREAD", "COUNT", "1", "STREAMS", "s", "0"]))
        XCTAssertNil(BlockTime(of: ["XREAD", "STREAMS", "BLOCK", "0"]), "a stream named BLOCK is no option")
    }

    func testReadTimeoutIsRaisedByTheBlockTimeAndForeverIsRefused() throws {
        XCTAssertEqual(try [RedisCommand(["GET", "k"])].readTimeout(base: .seconds(1)), .seconds(1))
        XCTAssertEqual(try ([["BLPOP", "q", "2"], ["BLPOP", "q", "0.5"]] as [RedisCommand]).readTimeout(base: .seconds(1)), .milliseconds(3500))
        XCTAssertThrowsError(try ([["BLPOP", "q", "0"]] as [RedisCommand]).readTimeout(base: .seconds(1))) { error in
            guard case RedisError.invalidCommand(let command, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(command, "BLPOP")
        }
    }
}
