import XCTest
@testable import Redis
import TestSupport

final class RedisBlockingTests: XCTestCase {
    func testBlockingCommandLongerThanTheReadTimeoutGetsItsOwnTimeout() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server) { $0.readTimeout = .milliseconds(200) }
        let started = Date()
        let popped = try await redis.send("BLPOP", "empty", 1)
        XCTAssertEqual(popped, .null)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9)

        try await redis.send("XGROUP", "CREATE", "jobs", "workers", "$", "MKSTREAM")
        let read = try await redis.send("XREADGROUP", "GROUP", "workers", "w1", "BLOCK", 400, "STREAMS", "jobs", ">")
        XCTAssertEqual(read, .null)
    }

    func testBlockingCommandReturnsAsSoonAsDataArrives() async throws {
        let server = try RedisServer()
        let client = RedisClient(options: try RedisOptions(url: server.url), poolSize: 1)
        let consumer = client.dedicatedConnection()
        let move = Task { try await consumer.send("BLMOVE", "pending", "active", "LEFT", "RIGHT", 5) }
        try await waitUntilBlocked(client)
        try await client.send("RPUSH", "pending", "job-1")
        let moved = try await move.value
        XCTAssertEqual(moved.string, "job-1")
        let active = try await client.send("LRANGE", "active", 0, -1)
        XCTAssertEqual(active, .array([.bulk(Array("job-1".utf8))]))
    }

    func testBlockingForeverIsRefused() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let error = await redisError { try await redis.send("BZPOPMIN", "delayed", 0) }
        guard case .invalidCommand(let command, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "BZPOPMIN")
    }

    func testSlowReplyTimesOutAndMayHaveBeenApplied() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server) { $0.readTimeout = .milliseconds(200) }
        let admin = try connection(to: server)
        try await redis.connect()
        try await admin.send("CLIENT", "PAUSE", 10_000, "WRITE")

        let error = await redisError { try await redis.send("SET", "k", "v") }
        guard case .timeout(_, let command, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "SET")
        XCTAssertEqual(error?.mayHaveBeenApplied, true)

        try await admin.send("CLIENT", "UNPAUSE")
        let pong = try await redis.send("PING")
        XCTAssertEqual(pong, .status("PONG"))
    }
}
