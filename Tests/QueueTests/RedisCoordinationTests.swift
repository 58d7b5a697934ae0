import Foundation
@testable import Queue
import Redis
import XCTest

final class RedisCoordinationTests: RedisQueueTestCase {
    func testAClaimIsExclusiveUntilReleasedOrExpired() async throws {
        let a = try await backend(), b = try await backend()
        let first = try await a.claim("registry.example/app@sha256:aa", ttl: .seconds(30))
        let second = try await b.claim("registry.example/app@sha256:aa", ttl: .seconds(30))
        let again = try await a.claim("registry.example/app@sha256:aa", ttl: .seconds(30))
        XCTAssertTrue(first)
        XCTAssertFalse(second)
        XCTAssertFalse(again, "a claim is held once, also within one process")

        try await b.release("registry.example/app@sha256:aa")
        let stillHeld = try await b.claim("registry.example/app@sha256:aa", ttl: .seconds(30))
        XCTAssertFalse(stillHeld, "only the holder releases a claim")
        try await a.release("registry.example/app@sha256:aa")
        let afterRelease = try await b.claim("registry.example/app@sha256:aa", ttl: .milliseconds(200))
        XCTAssertTrue(afterRelease)
        try await eventually { try await a.claim("registry.example/app@sha256:aa", ttl: .seconds(30)) }
    }

    func testBlobLocationsAreSharedAndExpireAfterDays() async throws {
        let a = try await backend(), b = try await backend()
        try await a.recordBlob(registry: "ghcr.io", digest: "sha256:bb", repository: "team/app")
        let location = try await b.blobLocation(registry: "ghcr.io", digest: "sha256:bb")
        XCTAssertEqual(location, "team/app")
        let unknown = try await b.blobLocation(registry: "docker.io", digest: "sha256:bb")
        XCTAssertNil(unknown)
        let ttl = try await admin.send("TTL", key("blob:ghcr.io:sha256:bb")).int ?? 0
        XCTAssertGreaterThan(ttl, 86_400)
    }

    func testAPauseHoldsUntilItsTimeAndOnlyGrows() async throws {
        let a = try await backend(), b = try await backend()
        let now = Date().timeIntervalSince1970
        try await a.pause(registry: "docker.io", until: now + 60)
        try await b.pause(registry: "docker.io", until: now + 10)
        let until = try await b.pausedUntil(registry: "docker.io")
        XCTAssertEqual(until ?? 0, now + 60, accuracy: 0.01, "an earlier pause does not shorten a later one")
        let other = try await b.pausedUntil(registry: "ghcr.io")
        XCTAssertNil(other)

        try await a.pause(registry: "quay.io", until: Date().timeIntervalSince1970 + 0.3)
        let paused = try await a.pausedUntil(registry: "quay.io")
        XCTAssertNotNil(paused)
        try await eventually { try await a.pausedUntil(registry: "quay.io") == nil }
        let gone = try await admin.send("EXISTS", key("pause:quay.io"))
        XCTAssertEqual(gone, .integer(0), "the pause key expires with the pause")
    }

    func testASlotLimitHoldsAcrossProcesses() async throws {
        let a = try await backend(), b = try await backend()
        let granted = [
            try await a.acquireSlot(registry: "docker.io", limit: 2, holder: "a1", ttl: .seconds(30)),
            try await b.acquireSlot(registry: "docker.io", limit: 2, holder: "b1", ttl: .seconds(30)),
            try await b.acquireSlot(registry: "docker.io", limit: 2, holder: "b2", ttl: .seconds(30)),
            try await a.acquireSlot(registry: "docker.io", limit: 2, holder: "a2", ttl: .seconds(30)),
            try await a.acquireSlot(registry: "ghcr.io", limit: 2, holder: "a2", ttl: .seconds(30)),
            try await a.acquireSlot(registry: "docker.io", limit: 2, holder: "a1", ttl: .seconds(30)),
        ]
        XCTAssertEqual(granted, [true, true, false, false, true, true], "two docker.io holders at a time; holding again is fine")

        try await a.releaseSlot(registry: "docker.io", holder: "a1")
        let afterRelease = try await b.acquireSlot(registry: "docker.io", limit: 2, holder: "b2", ttl: .milliseconds(200))
        XCTAssertTrue(afterRelease)
        try await eventually { try await a.acquireSlot(registry: "docker.io", limit: 2, holder: "a3", ttl: .seconds(30)) }
        let holders = try await admin.send("ZRANGE", key("slots:docker.io"), 0, -1)
        XCTAssertEqual(holders, .array([.bulk(Array("b1".utf8)), .bulk(Array("a3".utf8))]), "the expired holder was dropped")
    }

    func testConcurrentSlotRequestsNeverExceedTheLimit() async throws {
        let a = try await backend(), b = try await backend()
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                let backend = index.isMultiple(of: 2) ? a : b
                group.addTask { try await backend.acquireSlot(registry: "r", limit: 3, holder: "h\(index)", ttl: .seconds(30)) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(granted, 3)
    }
}
