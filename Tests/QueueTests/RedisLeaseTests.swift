import Foundation
@testable import Queue
import Redis
import XCTest

/// At-least-once delivery: leases renewed while a job runs, re-delivered when its worker dies,
/// acknowledged at most once.
final class RedisLeaseTests: RedisQueueTestCase {
    func testALapsedLeaseIsRedeliveredToAnotherWorker() async throws {
        let dying = try await backend(leaseTTL: .milliseconds(400), owner: "dying")
        let survivor = try await backend(owner: "survivor")
        let enqueued = job(.blob)
        try await dying.enqueue([enqueued])
        let lost = try await take(dying)
        dying.stopRenewingLeases()  // as if killed with SIGKILL

        let started = ContinuousClock.now
        let redelivered = try await take(survivor, timeout: .seconds(5))
        XCTAssertEqual(redelivered.job.id, enqueued.id)
        XCTAssertEqual(redelivered.job.attempts, 0, "a lost lease is no failed attempt")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "taken again soon after the TTL")
        let inFlight = try await survivor.inFlight()
        XCTAssertEqual(inFlight.map(\.worker), ["survivor"])

        try await dying.complete(lost)  // the dead worker's late acknowledgement changes nothing
        let outstanding = try await survivor.outstanding("c1")
        XCTAssertEqual(outstanding, 1)
        try await survivor.complete(redelivered)
        try await survivor.waitForCycle("c1")
    }

    func testLeasesAreRenewedWhileTheJobRuns() async throws {
        let worker = try await backend(leaseTTL: .milliseconds(300), owner: "busy")
        let other = try await backend(owner: "idle")
        try await worker.enqueue([job(.blob)])
        let leased = try await take(worker)
        let firstDeadline = try await admin.send("ZSCORE", key("leases"), leased.job.id).double ?? 0

        // Four lease TTLs later, with renewals every 100 ms, the job is still this worker's.
        let stolen = try await other.take(timeout: .milliseconds(1200))
        XCTAssertNil(stolen)
        let deadline = try await admin.send("ZSCORE", key("leases"), leased.job.id).double ?? 0
        XCTAssertGreaterThan(deadline, firstDeadline + 600)
        try await worker.complete(leased)
    }

    func testADoubleAcknowledgementIsHarmless() async throws {
        let queue = try await backend()
        try await queue.enqueue([job(cycle: "c7"), job(cycle: "c7")])
        let first = try await take(queue)
        try await queue.complete(first)
        try await queue.complete(first)
        try await queue.bury(first, failure: fatal)
        try await queue.retry(first, after: .zero, countsAsAttempt: true, failure: transient)
        try await queue.release(first)

        let outstanding = try await queue.outstanding("c7")
        XCTAssertEqual(outstanding, 1, "counted done once")
        let stats = try await queue.stats()
        XCTAssertEqual(stats.dead, 0)
        XCTAssertEqual(stats.delayed, 0)
        XCTAssertEqual(stats.pending[.tag], 1)
    }

    func testOnlyTheOwnerCanAcknowledgeAJob() async throws {
        let owner = try await backend(owner: "owner")
        let stranger = try await backend(owner: "stranger")
        try await owner.enqueue([job()])
        let leased = try await take(owner)
        try await stranger.complete(leased)
        try await stranger.bury(leased, failure: fatal)
        let stats = try await owner.stats()
        XCTAssertEqual(stats.inFlight, 1)
        XCTAssertEqual(stats.dead, 0)
        try await owner.complete(leased)
        try await owner.waitForCycle("c1")
    }

    func testPrefetchedJobsNobodyTakesAreHandedBack() async throws {
        let greedy = try await backend(leaseTTL: .milliseconds(300), prefetch: 10)
        let other = try await backend()
        try await greedy.enqueue((0..<5).map { _ in job(.blob) })
        let one = try await take(greedy)
        XCTAssertEqual(greedy.fetcher.bufferedCount, 4, "taken in one call, held in the buffer")

        var others: [LeasedJob] = []
        while others.count < 4, let leased = try await other.take(timeout: .seconds(3)) { others.append(leased) }
        XCTAssertEqual(others.count, 4, "released by the next lease heartbeat")
        XCTAssertEqual(greedy.fetcher.bufferedCount, 0)
        try await greedy.complete(one)
    }

    func testCloseReleasesBufferedJobs() async throws {
        let greedy = try await backend(prefetch: 10)
        try await greedy.enqueue((0..<3).map { _ in job(.blob) })
        _ = try await take(greedy)
        await greedy.close()
        let stats = try await (try await backend()).stats()
        XCTAssertEqual(stats.pending[.blob], 2)
        XCTAssertEqual(stats.inFlight, 1, "the job handed out keeps its lease")
    }
}
