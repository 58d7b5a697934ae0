import Foundation
@testable import Queue
import Redis
import XCTest

final class RedisOutcomeTests: RedisQueueTestCase {
    func outcome(_ cycle: String, _ tag: String, _ status: Outcome.Status) -> Outcome {
        Outcome(cycle: cycle, source: "docker.io/library/alpine", tag: tag, target: "registry.example/alpine", status: status,
                failure: status == .failed ? JobFailure(errorClass: .fatal, message: "denied", status: 403) : nil, bytes: 42)
    }

    func testPublishedOutcomesReachTheStreamTheCycleListAndTheFailureCount() async throws {
        let worker = try await backend(), reporter = try await backend()
        let published = [outcome("c1", "3.19", .synced), outcome("c1", "3.18", .failed), outcome("c2", "3.17", .failed),
                         outcome("c1", "3.16", .failed), outcome("c1", "3.15", .upToDate)]
        for each in published { try await worker.publish(each) }

        let c1 = try await reporter.outcomes(cycle: "c1")
        XCTAssertEqual(c1, published.filter { $0.cycle == "c1" })
        let failures = [try await reporter.failureCount(cycle: "c1"), try await reporter.failureCount(cycle: "c2"),
                        try await reporter.failureCount(cycle: "c3")]
        XCTAssertEqual(failures, [2, 1, 0])
        let length = try await admin.send("XLEN", key("outcomes")).int
        XCTAssertEqual(length, 5)
        let ttl = try await admin.send("TTL", key("cycle:c1:outcomes")).int ?? 0
        XCTAssertGreaterThan(ttl, 80_000)

        let read = try await reporter.next(consumer: "reporter-1", timeout: .milliseconds(100))
        XCTAssertEqual(read, published, "a new consumer group reads from the stream's start")
        let again = try await reporter.next(consumer: "reporter-1", timeout: .milliseconds(100))
        XCTAssertEqual(again, [], "acknowledged, read once")
        let pending = try await admin.send("XPENDING", key("outcomes"), "reporters")
        XCTAssertEqual(pending[0], .integer(0))
    }

    func testNextBlocksUntilAnOutcomeIsPublished() async throws {
        let worker = try await backend(), reporter = try await backend()
        _ = try await reporter.next(consumer: "r", timeout: .milliseconds(10))  // creates the group
        let reading = Task { try await reporter.next(consumer: "r", timeout: .seconds(10)) }
        try await eventually { (try await self.admin.send("INFO", "clients").string ?? "").contains("blocked_clients:1\r") }
        let published = outcome("c5", "1.0", .synced)
        try await worker.publish(published)
        let read = try await reading.value
        XCTAssertEqual(read, [published])
    }

    func testReportersInOneGroupShareTheOutcomes() async throws {
        let worker = try await backend(), first = try await backend(), second = try await backend()
        for index in 0..<6 { try await worker.publish(outcome("c1", "\(index)", .synced)) }
        let a = try await first.next(consumer: "a", timeout: .milliseconds(50))
        let b = try await second.next(consumer: "b", timeout: .milliseconds(50))
        XCTAssertEqual(a.count + b.count, 6)
        XCTAssertEqual(a.count, 6, "the first reader gets what was there")
        XCTAssertEqual(b, [])
    }
}
