import Foundation
import XCTest
@testable import Redis
import TestSupport

/// A connection to `server` over TCP, with `configure` applied to the default options.
func connection(to server: RedisServer, credentials: String = "", database: Int = 0,
                configure: (inout RedisOptions) -> Void = { _ in }) throws -> RedisConnection {
    var options = try RedisOptions(url: "redis://\(credentials)127.0.0.1:\(server.port)/\(database)")
    configure(&options)
    return RedisConnection(options: options)
}

/// The `RedisError` that `body` throws; fails the test when it throws nothing or something else.
func redisError<T>(file: StaticString = #filePath, line: UInt = #line,
                   _ body: () async throws -> T) async -> RedisError? {
    do {
        let value = try await body()
        XCTFail("expected a RedisError, got \(value)", file: file, line: line)
    } catch let error as RedisError {
        return error
    } catch {
        XCTFail("expected a RedisError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Waits until the server reports `count` clients blocked in a blocking command.
func waitUntilBlocked(_ admin: some RedisCommandSender, count: Int = 1, timeout: TimeInterval = 10) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let info = try await admin.send("INFO", "clients").string ?? ""
        if info.contains("blocked_clients:\(count)\r") { return }
        await Task.yield()
    }
    XCTFail("no \(count) blocked client(s) after \(timeout) s")
}

/// Connection events as an async sequence, to await a reconnect attempt instead of sleeping.
func eventStream(_ options: inout RedisOptions) -> AsyncStream<RedisConnectionEvent> {
    let (events, sink) = AsyncStream.makeStream(of: RedisConnectionEvent.self)
    options.onEvent = { sink.yield($0) }
    return events
}
