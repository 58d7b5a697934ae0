import XCTest
@testable import Redis
import TestSupport

final class RedisCommandTests: XCTestCase {
    func testAllByteValuesRoundTripInKeysAndValues() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let everyByte = (0...255).map { UInt8($0) }
        let key = Array("bin:".utf8) + everyByte
        try await redis.send("SET", key, everyByte)
        let value = try await redis.send("GET", key)
        XCTAssertEqual(value, .bulk(everyByte))
        let keys = try await redis.send("KEYS", "bin:*")
        XCTAssertEqual(keys, .array([.bulk(key)]))

        let singles: [RedisCommand] = everyByte.map { ["SET", [$0], [$0, 13, 10, $0]] }
        _ = try await redis.pipeline(singles)
        let readBack = try await redis.pipeline(everyByte.map { ["GET", [$0]] })
        XCTAssertEqual(readBack, everyByte.map { .bulk([$0, 13, 10, $0]) })
    }

    func testEmptyValueIsNotNull() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        try await redis.send("SET", "empty", "")
        let empty = try await redis.send("GET", "empty")
        XCTAssertEqual(empty, .bulk([]))
        let missing = try await redis.send("GET", "missing")
        XCTAssertEqual(missing, .null)
    }

    func testStreamRepliesAreNestedArrays() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let first = try await redis.send("XADD", "jobs", "*", "kind", "blob", "digest", "sha256:aa").string!
        let second = try await redis.send("XADD", "jobs", "*", "kind", "tag").string!

        let range = try await redis.send("XRANGE", "jobs", "-", "+")
        XCTAssertEqual(range, .array([
            .array([.bulk(Array(first.utf8)), .array(["kind", "blob", "digest", "sha256:aa"].map { .bulk(Array($0.utf8)) })]),
            .array([.bulk(Array(second.utf8)), .array([.bulk(Array("kind".utf8)), .bulk(Array("tag".utf8))])]),
        ]))

        try await redis.send("XGROUP", "CREATE", "jobs", "workers", "0")
        let read = try await redis.send("XREADGROUP", "GROUP", "workers", "w1", "COUNT", 10, "STREAMS", "jobs", ">")
        XCTAssertEqual(read[0]?[0]?.string, "jobs")
        let entries = try XCTUnwrap(read[0]?[1]?.array)
        XCTAssertEqual(entries.map { $0[0]?.string }, [first, second])
        XCTAssertEqual(entries[0][1]?[3]?.string, "sha256:aa")

        let pending = try await redis.send("XPENDING", "jobs", "workers")
        XCTAssertEqual(pending[0]?.int, 2)
        XCTAssertEqual(pending[3], .array([.array([.bulk(Array("w1".utf8)), .bulk(Array("2".utf8))])]))
    }

    func testPipelineOf1000CommandsReturns1000RepliesInOrder() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let replies = try await redis.pipeline(Array(repeating: ["INCR", "counter"], count: 1000))
        XCTAssertEqual(replies, (1...1000).map { .integer(Int64($0)) })
    }

    func testErrorReplyInPipelineStaysInPlace() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let replies = try await redis.pipeline([["SET", "s", "x"], ["INCR", "s"], ["GET", "s"]])
        XCTAssertEqual(replies.count, 3)
        XCTAssertEqual(replies[0], .status("OK"))
        XCTAssertEqual(replies[1].errorMessage, "ERR value is not an integer or out of range")
        XCTAssertEqual(replies[2], .bulk(Array("x".utf8)))
    }

    func testErrorReplyIsThrownNamingTheCommandButNotItsArguments() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        try await redis.send("SET", "secret-key", "x")
        let error = await redisError { try await redis.send("LPUSH", "secret-key", "secret-value") }
        guard case .server(let command, let message)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "LPUSH")
        XCTAssertTrue(message.hasPrefix("WRONGTYPE"))
        XCTAssertEqual(error?.code, "WRONGTYPE")
        XCTAssertEqual(error?.isRetryable, false)
        XCTAssertFalse("\(error!)".contains("secret"), "\(error!)")

        let raw = try await redis.sendRaw(["LPUSH", "secret-key", "v"])
        XCTAssertEqual(raw.errorMessage?.hasPrefix("WRONGTYPE"), true)
        let subcommand = await redisError { try await redis.send("XGROUP", "CREATE", "nostream", "g", "0") }
        XCTAssertEqual(subcommand.map { "\($0)" }?.hasPrefix("Redis XGROUP CREATE failed"), true)
    }

    func testUnixSocketAndDatabaseSelection() async throws {
        let server = try RedisServer(.init(unixSocket: true))
        let path = try XCTUnwrap(server.unixSocketPath)
        let overSocket = try RedisConnection(url: "unix://\(path)?db=3")
        try await overSocket.send("SET", "where", "db3")
        let shortForm = try RedisConnection(url: "unix:\(path)")
        try await shortForm.send("SET", "where", "db0")

        let db3 = try connection(to: server, database: 3)
        let inDB3 = try await db3.send("GET", "where")
        XCTAssertEqual(inDB3.string, "db3")
        let db0 = try connection(to: server)
        let inDB0 = try await db0.send("GET", "where")
        XCTAssertEqual(inDB0.string, "db0")
    }

    func testDatabaseOutOfRangeFailsTheHandshake() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server, database: 99)
        let error = await redisError { try await redis.connect() }
        guard case .handshakeFailed(_, let command, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "SELECT")
    }
}
