import Foundation
@testable import Queue
import Redis
import XCTest

/// Where the backend writes: one hash tag per prefix, prefixes isolated, and a scan of every key
/// and value (the fleet's "no secret in Redis" check uses `KeyspaceScan`).
final class RedisKeyspaceTests: RedisQueueTestCase {
    /// Touches every kind of key the backend writes.
    func exercise(_ backend: RedisBackend) async throws {
        try await backend.enqueue([job(.image), job(.tag, key: "u")])
        try await backend.enqueue(JobGroup(children: [job(.blob), job(.blob)], continuation: job(.commit)))
        try await backend.complete(try await take(backend))
        try await backend.retry(try await take(backend), after: .seconds(60), countsAsAttempt: true, failure: transient)
        try await backend.bury(try await take(backend), failure: fatal)
        _ = try await backend.campaign("leader", ttl: .seconds(60))
        try await backend.halt(HaltState(reason: "r", cycle: "c1", since: 1))
        try await backend.heartbeat(WorkerInfo(id: "w", host: "h", pid: 1, slots: 1, busy: 0, seen: 1), ttl: .seconds(60))
        try await backend.addCounters(["bytes_copied": 5])
        _ = try await backend.claim("blob-transfer", ttl: .seconds(60))
        try await backend.recordBlob(registry: "ghcr.io", digest: "sha256:cc", repository: "a/b")
        try await backend.pause(registry: "docker.io", until: Date().timeIntervalSince1970 + 60)
        _ = try await backend.acquireSlot(registry: "docker.io", limit: 1, holder: "h", ttl: .seconds(60))
        try await backend.publish(Outcome(cycle: "c1", source: "s", tag: "t", target: "d", status: .failed, failure: fatal))
        _ = try await backend.next(consumer: "r", timeout: .milliseconds(10))
    }

    func testEveryKeyCarriesThePrefixsHashTag() async throws {
        let backend = try await backend()
        try await exercise(backend)
        let keys = try await KeyspaceScan.keys(in: admin, matching: "*\(prefix)*")
        XCTAssertGreaterThan(keys.count, 15)
        for key in keys { XCTAssertTrue(key.hasPrefix("{\(prefix)}:"), key) }
        let types = try await withThrowingTaskGroup(of: String.self) { group in
            for key in keys { group.addTask { try await self.admin.send("TYPE", key).string ?? "" } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(types, ["string", "hash", "list", "set", "zset", "stream"])
        // Redis Cluster hashes only the text between the first "{" and the next "}": the same for every key.
        let tags = Set(keys.map { $0.dropFirst().prefix { $0 != "}" } })
        XCTAssertEqual(tags, [Substring(prefix)], "one hash slot: the layer runs on Redis Cluster")
    }

    func testTwoPrefixesInOneRedisAreIsolated() async throws {
        let blue = try await backend(prefix: "\(prefix)-blue"), green = try await backend(prefix: "\(prefix)-green")
        try await blue.enqueue([job(.tag, key: "same"), job(.blob)])
        try await green.enqueue([job(.tag, key: "same")])
        _ = try await blue.campaign("blue-leader", ttl: .seconds(60))
        try await blue.halt(HaltState(reason: "blue only", cycle: nil, since: 1))

        let greenStats = try await green.stats()
        XCTAssertEqual(greenStats.pending, [.commit: 0, .blob: 0, .tag: 1, .image: 0], "the unique key is per prefix too")
        let greenLeads = try await green.campaign("green-leader", ttl: .seconds(60))
        XCTAssertTrue(greenLeads)
        let greenHalt = try await green.haltState()
        XCTAssertNil(greenHalt)
        let taken = try await take(green)
        XCTAssertEqual(taken.job.kind, .tag)
        let none = try await green.take(timeout: .milliseconds(50))
        XCTAssertNil(none)
        let blueStats = try await blue.stats()
        XCTAssertEqual(blueStats.pending[.blob], 1)
    }

    func testAScanFindsAStringInAnyKeyOrValue() async throws {
        let backend = try await backend()
        try await exercise(backend)
        let before = try await KeyspaceScan.keys(containing: "hunter2-marker", in: admin)
        XCTAssertEqual(before, [])

        let marked = job(.image, payload: #"{"note":"hunter2-marker"}"#)
        try await backend.enqueue([marked])
        try await backend.publish(Outcome(cycle: "c1", source: "hunter2-marker", tag: nil, target: nil, status: .synced))
        try await backend.recordBlob(registry: "r", digest: "d", repository: "hunter2-marker")
        try await backend.heartbeat(WorkerInfo(id: "w9", host: "hunter2-marker", pid: 1, slots: 1, busy: 0, seen: 1), ttl: .seconds(60))
        let found = try await KeyspaceScan.keys(containing: "hunter2-marker", in: admin)
        XCTAssertEqual(Set(found), [key("job:\(marked.id)"), key("outcomes"), key("cycle:c1:outcomes"), key("blob:r:d"),
                                    key("workers:info")], "string, hash, list and stream values are all read")
        let inKeyName = try await KeyspaceScan.keys(containing: "blob:r:d", in: admin)
        XCTAssertEqual(inKeyName, [key("blob:r:d")])
        let absent = try await KeyspaceScan.keys(containing: "no-such-secret", in: admin)
        XCTAssertEqual(absent, [])
    }
}
