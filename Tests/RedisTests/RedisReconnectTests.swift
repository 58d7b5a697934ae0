import XCTest
@testable import Redis
import TestSupport

final class RedisReconnectTests: XCTestCase {
    func testNextCommandAfterARestartSucceedsWithDataKept() async throws {
        let server = try RedisServer(.init(appendOnly: true))
        let threads = EventThreads()
        let redis = try connection(to: server) { $0.onEvent = { _ in threads.record() } }
        try await redis.send("SET", "kept", "across restarts")

        try server.restart()
        try await redis.send("SET", "written", "after restart")  // not idempotent: sent only on a fresh connection
        let kept = try await redis.send("GET", "kept")
        XCTAssertEqual(kept.string, "across restarts")
        XCTAssertFalse(threads.onConnectionThread.isEmpty)
        XCTAssertEqual(Set(threads.onConnectionThread), [true], "hiredis runs on the connection's own thread")
    }

    func testCommandDuringAnOutageWaitsForTheServerToComeBack() async throws {
        let server = try RedisServer(.init(appendOnly: true))
        var options = try RedisOptions(url: server.url)
        let events = eventStream(&options)
        let redis = RedisConnection(options: options)
        try await redis.send("SET", "n", 1)

        server.stop()
        let increment = Task { try await redis.send("INCR", "n") }
        for await event in events {
            if case .retrying = event { break }
        }
        try server.start()
        let value = try await increment.value
        XCTAssertEqual(value, .integer(2))
    }

    func testCommandFailsRetryablyAfterTheDeadlineWhenTheServerStaysDown() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server) { $0.reconnectDeadline = .milliseconds(500) }
        try await redis.connect()
        server.stop()

        let started = Date()
        let error = await redisError { try await redis.send("SET", "k", "v") }
        guard case .unavailable(_, let command, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "SET")
        XCTAssertEqual(error?.isRetryable, true)
        XCTAssertEqual(error?.mayHaveBeenApplied, false)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.45)
    }

    func testCancellingACommandStopsItsWaitForTheServer() async throws {
        let server = try RedisServer()
        var options = try RedisOptions(url: server.url)
        let events = eventStream(&options)
        let redis = RedisConnection(options: options)
        server.stop()

        let started = Date()
        let get = Task { try await redis.send("GET", "k") }
        for await event in events {
            if case .retrying = event { break }
        }
        get.cancel()
        do {
            _ = try await get.value
            XCTFail("a cancelled command returned")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the 30 s reconnect deadline was not waited out")
    }

    func testCommandLostAfterSendingIsNotResent() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let admin = try connection(to: server)
        let pop = Task { try await redis.send("BLPOP", "queue", 5) }
        try await waitUntilBlocked(admin)
        try await admin.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")

        let error = await redisError { try await pop.value }
        guard case .connectionLost(_, let command, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(command, "BLPOP")
        XCTAssertEqual(error?.mayHaveBeenApplied, true)
        let pong = try await redis.send("PING")
        XCTAssertEqual(pong, .status("PONG"), "the connection recovers for the next command")
    }

    func testIdempotentCommandIsResentAfterTheConnectionBreaks() async throws {
        let server = try RedisServer()
        let redis = try connection(to: server)
        let admin = try connection(to: server)
        let pop = Task { try await redis.send("BLPOP", "queue", 5, idempotent: true) }
        try await waitUntilBlocked(admin)
        let killed = try await admin.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
        XCTAssertEqual(killed, .integer(1))

        try await admin.send("LPUSH", "queue", "job")
        let popped = try await pop.value
        XCTAssertEqual(popped, .array([.bulk(Array("queue".utf8)), .bulk(Array("job".utf8))]))
    }
}

/// Whether each connection event was reported on a connection's own thread.
final class EventThreads: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Bool] = []

    func record() {
        let onConnectionThread = RedisThread.isCurrent
        lock.withLock { recorded.append(onConnectionThread) }
    }

    var onConnectionThread: [Bool] { lock.withLock { recorded } }
}
