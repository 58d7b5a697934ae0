import XCTest
@testable import Redis
import TestSupport

final class RedisClientTests: XCTestCase {
    func testManyConcurrentCallersShareThePool() async throws {
        let server = try RedisServer()
        let client = RedisClient(options: try RedisOptions(url: server.url), poolSize: 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<400 {
                group.addTask {
                    try await client.send("SET", "key:\(index)", index)
                    let value = try await client.send("GET", "key:\(index)")
                    XCTAssertEqual(value.int, index)
                    try await client.send("INCR", "total")
                }
            }
            try await group.waitForAll()
        }
        let total = try await client.send("GET", "total")
        XCTAssertEqual(total.int, 400)
        let clients = try await client.send("CLIENT", "LIST")
        XCTAssertEqual(clients.string?.split(separator: "\n").count, 4, "one connection per pool slot")
    }

    func testBlockedCallerDoesNotHoldUpTheOthers() async throws {
        let server = try RedisServer()
        let client = RedisClient(options: try RedisOptions(url: server.url), poolSize: 2)
        let pop = Task { try await client.send("BLPOP", "queue", 5) }
        try await waitUntilBlocked(client)

        let started = Date()
        let pong = try await client.send("PING")
        XCTAssertEqual(pong, .status("PONG"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        try await client.send("LPUSH", "queue", "job")
        let popped = try await pop.value
        XCTAssertEqual(popped[1]?.string, "job")
    }

    func testClosedClientRefusesCommands() async throws {
        let server = try RedisServer()
        let client = RedisClient(options: try RedisOptions(url: server.url), poolSize: 2)
        try await client.connect()
        client.close()
        let error = await redisError { try await client.send("PING") }
        guard case .closed? = error else { return XCTFail("\(String(describing: error))") }
    }
}
