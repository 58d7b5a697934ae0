import Foundation
@testable import Queue
import Redis
import XCTest

/// redis-server restarts (AOF on) in the middle of the work: nothing is lost, nothing is delivered
/// twice, and the lease heartbeat carries on.
final class RedisRestartTests: RedisQueueTestCase {
    func testTheQueueCarriesOnAcrossARedisRestart() async throws {
        let queue = try await backend(leaseTTL: .seconds(2))
        let reporter = try await backend()
        let jobs = (0..<20).map { _ in job(.blob, cycle: "restart") }
        try await queue.enqueue(jobs)
        var taken: [LeasedJob] = []
        for _ in 0..<5 { taken.append(try await take(queue)) }
        try await queue.complete(taken[0])
        try await queue.complete(taken[1])
        try await queue.publish(Outcome(cycle: "restart", source: "before", tag: nil, target: nil, status: .failed, failure: fatal))
        let leader = try await queue.campaign("scheduler", ttl: .seconds(60))
        XCTAssertTrue(leader)

        try server.restart()

        let deadline = try await admin.send("ZSCORE", key("leases"), taken[2].job.id).double ?? 0
        try await eventually {
            (try await self.admin.send("ZSCORE", self.key("leases"), taken[2].job.id).double ?? 0) > deadline
        }  // the lease heartbeat survived the outage
        for leased in taken[2...] { try await queue.complete(leased) }
        var ids = Set(taken.map(\.job.id))
        while let leased = try await queue.take(timeout: .milliseconds(300)) {
            XCTAssertTrue(ids.insert(leased.job.id).inserted, "delivered twice: \(leased.job.id)")
            try await queue.complete(leased)
        }
        XCTAssertEqual(ids, Set(jobs.map(\.id)))
        try await queue.waitForCycle("restart")

        try await queue.publish(Outcome(cycle: "restart", source: "after", tag: nil, target: nil, status: .failed, failure: fatal))
        let read = try await reporter.next(consumer: "r", timeout: .milliseconds(100))
        XCTAssertEqual(read.map(\.source), ["before", "after"])
        let failures = try await reporter.failureCount(cycle: "restart")
        XCTAssertEqual(failures, 2)
        let stillLeader = try await queue.leader()
        XCTAssertEqual(stillLeader, "scheduler")
        let stats = try await queue.stats()
        XCTAssertEqual(stats.inFlight, 0)
        XCTAssertEqual(stats.dead, 0)
    }

    func testOperationsFailRetryablyWhileRedisIsDownAndResumeAfter() async throws {
        var options = try RedisOptions(url: server.url)
        options.reconnectDeadline = .milliseconds(300)
        let queue = try await RedisBackend.connect(options: options, prefix: prefix)
        addTeardownBlock { await queue.close() }
        try await queue.enqueue([job()])
        server.stop()
        do {
            _ = try await queue.take(timeout: .seconds(2))
            XCTFail("took a job with Redis down")
        } catch let error as RedisError {
            XCTAssertTrue(error.isRetryable, "\(error)")
        }
        try server.start()
        let leased = try await take(queue)
        try await queue.complete(leased)
        try await queue.waitForCycle("c1")
    }
}
