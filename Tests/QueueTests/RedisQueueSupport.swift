import Foundation
@testable import Queue
import Redis
import TestSupport
import XCTest

/// A real redis-server (with AOF) per test class; each test gets its own key prefix, so tests of a
/// class never see each other's keys, and a plain connection (`admin`) to look at what is stored.
class RedisQueueTestCase: XCTestCase {
    nonisolated(unsafe) static var server: RedisServer!
    private(set) var prefix = ""
    private(set) var admin: RedisConnection!

    override class func setUp() {
        super.setUp()
        server = try! RedisServer(.init(appendOnly: true))
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    var server: RedisServer { Self.server }

    override func setUp() async throws {
        try await super.setUp()
        prefix = "test-\(UUID().uuidString.prefix(8).lowercased())"
        admin = try RedisConnection(url: server.url)
        let admin = admin!
        addTeardownBlock { admin.close() }
    }

    /// A backend on this test's prefix (or `prefix`), closed when the test ends.
    func backend(prefix: String? = nil, leaseTTL: Duration = .seconds(30), deadLetterMax: Int = 10_000,
                 deadLetterMaxAge: Duration = .seconds(7 * 86_400), owner: String? = nil, prefetch: Int = 0) async throws -> RedisBackend {
        let backend = try await RedisBackend.connect(url: server.url, prefix: prefix ?? self.prefix, leaseTTL: leaseTTL,
                                                     deadLetterMax: deadLetterMax, deadLetterMaxAge: deadLetterMaxAge,
                                                     owner: owner ?? "worker-\(UUID().uuidString.prefix(6))", prefetch: prefetch)
        addTeardownBlock { await backend.close() }
        return backend
    }

    func job(_ kind: JobKind = .tag, cycle: String = "c1", key: String? = nil, payload: String = #"{"image":"library/alpine"}"#) -> Job {
        Job(kind: kind, payload: Data(payload.utf8), cycle: cycle, uniqueKey: key)
    }

    /// `{prefix}:name`, as the backend names its keys.
    func key(_ name: String) -> String { "{\(prefix)}:\(name)" }

    func take(_ queue: RedisBackend, timeout: Duration = .seconds(5), file: StaticString = #filePath, line: UInt = #line) async throws -> LeasedJob {
        guard let leased = try await queue.take(timeout: timeout) else {
            XCTFail("no job within \(timeout)", file: file, line: line)
            throw CancellationError()
        }
        return leased
    }

    /// Polls `condition` every 20 ms until it holds (for what only time brings: a lease or TTL lapsing).
    func eventually(within limit: Duration = .seconds(5), file: StaticString = #filePath, line: UInt = #line,
                    _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("condition not met within \(limit)", file: file, line: line)
    }

    let fatal = JobFailure(errorClass: .fatal, message: "manifest unknown", status: 404)
    let transient = JobFailure(errorClass: .retryable, message: "503 Service Unavailable", status: 503)
}
