import XCTest
@testable import Redis
import TestSupport

final class RedisScriptTests: XCTestCase {
    let incrementBy = RedisScript(name: "incrementBy", "return redis.call('INCRBY', KEYS[1], ARGV[1])")

    func testDigestIsComputedLocallyAsTheServerDoes() async throws {
        XCTAssertEqual(RedisScript("").sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let server = try RedisServer()
        let redis = try connection(to: server)
        let loaded = try await redis.send("SCRIPT", "LOAD", incrementBy.source)
        XCTAssertEqual(loaded.string, incrementBy.sha1)
    }

    func testEvalshaLoadsTheScriptWhenTheServerLacksIt() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let first = try await redis.evalsha(incrementBy, keys: ["counter"], args: [5])
        XCTAssertEqual(first, .integer(5))

        try await redis.send("SCRIPT", "FLUSH")
        let exists = try await redis.send("SCRIPT", "EXISTS", incrementBy.sha1)
        XCTAssertEqual(exists, .array([.integer(0)]))
        let second = try await redis.evalsha(incrementBy, keys: ["counter"], args: [5])
        XCTAssertEqual(second, .integer(10))
    }

    func testScriptErrorIsThrownNamingTheScript() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let failing = RedisScript(name: "refuse", "return redis.error_reply('job is not leased')")
        let error = await redisError { try await redis.evalsha(failing) }
        guard case .server(let command, let message)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "EVALSHA refuse")
        XCTAssertTrue(message.contains("job is not leased"), message)
    }
}
