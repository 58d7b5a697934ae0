import Foundation
@testable import Queue
import Redis
import XCTest

final class RedisFleetControlTests: RedisQueueTestCase {
    func testOneOfTwoCandidatesLeadsAndTheOtherTakesOverWhenTheLeaseLapses() async throws {
        let a = try await backend(), b = try await backend()
        let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            group.addTask { ("a", try await a.campaign("scheduler-a", ttl: .milliseconds(500))) }
            group.addTask { ("b", try await b.campaign("scheduler-b", ttl: .milliseconds(500))) }
            return try await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(results.values.filter { $0 }.count, 1, "exactly one leads")
        let (winner, loser) = results["a"] == true ? (a, b) : (b, a)
        let (winnerName, loserName) = results["a"] == true ? ("scheduler-a", "scheduler-b") : ("scheduler-b", "scheduler-a")
        let leader = try await loser.leader()
        XCTAssertEqual(leader, winnerName)
        let again = try await winner.campaign(winnerName, ttl: .milliseconds(500))
        XCTAssertTrue(again, "campaigning again keeps the lease")

        let started = ContinuousClock.now
        try await eventually { try await loser.campaign(loserName, ttl: .seconds(5)) }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300), "only after the lease lapsed")
        let renewed = try await winner.renewLeadership(winnerName, ttl: .seconds(5))
        XCTAssertFalse(renewed, "the old leader cannot renew a lease it lost")
        let newLeader = try await winner.leader()
        XCTAssertEqual(newLeader, loserName)
    }

    func testRenewExtendsOnlyTheHoldersLeaseAndResignFreesIt() async throws {
        let control = try await backend()
        let leads = try await control.campaign("s1", ttl: .milliseconds(500))
        XCTAssertTrue(leads)
        let renewedByHolder = try await control.renewLeadership("s1", ttl: .seconds(60))
        XCTAssertTrue(renewedByHolder)
        let ttl = try await admin.send("PTTL", key("leader")).int ?? 0
        XCTAssertGreaterThan(ttl, 50_000)
        let renewedByOther = try await control.renewLeadership("s2", ttl: .seconds(60))
        XCTAssertFalse(renewedByOther)

        try await control.resign("s2")
        let stillLeader = try await control.leader()
        XCTAssertEqual(stillLeader, "s1", "only the holder can resign")
        try await control.resign("s1")
        let noLeader = try await control.leader()
        XCTAssertNil(noLeader)
        let takesOver = try await control.campaign("s2", ttl: .seconds(5))
        XCTAssertTrue(takesOver)
    }

    func testHaltAndResume() async throws {
        let control = try await backend()
        let before = try await control.haltState()
        XCTAssertNil(before)
        let halt = HaltState(reason: "3 failures in cycle c1 reached sync.maxerrors (3)", cycle: "c1", since: 1_700_000_000)
        try await control.halt(halt)
        let seen = try await (try await backend()).haltState()
        XCTAssertEqual(seen, halt, "every process sees the halt")
        try await control.resume()
        let after = try await control.haltState()
        XCTAssertNil(after)
    }

    func testWorkersAreAliveUntilTheirHeartbeatsExpire() async throws {
        let control = try await backend()
        let short = WorkerInfo(id: "w1", host: "h1", pid: 11, slots: 4, busy: 1, seen: 1)
        let long = WorkerInfo(id: "w2", host: "h2", pid: 22, slots: 8, busy: 0, seen: 2)
        try await control.heartbeat(short, ttl: .milliseconds(300))
        try await control.heartbeat(long, ttl: .seconds(60))
        let both = try await control.workers()
        XCTAssertEqual(both, [short, long])

        try await eventually { try await control.workers() == [long] }
        try await control.heartbeat(long, ttl: .seconds(60))  // a heartbeat drops the expired worker's info
        let infos = try await admin.send("HKEYS", key("workers:info"))
        XCTAssertEqual(infos, .array([.bulk(Array("w2".utf8))]))
    }

    func testTheLeaseRemainingIsKnownWhileSomeoneLeads() async throws {
        let control = try await backend()
        let none = try await control.leaseRemaining()
        XCTAssertNil(none)
        let leads = try await control.campaign("a", ttl: .seconds(10))
        XCTAssertTrue(leads)
        let lease = try await control.leaseRemaining()
        let remaining = try XCTUnwrap(lease)
        XCTAssertGreaterThan(remaining, .seconds(9))
        XCTAssertLessThanOrEqual(remaining, .seconds(10))
    }

    func testARetiredWorkerIsNoLongerListed() async throws {
        let control = try await backend()
        let worker = WorkerInfo(id: "w3", host: "h3", pid: 33, slots: 2, busy: 0, seen: 3)
        try await control.heartbeat(worker, ttl: .seconds(60))
        try await control.retire(worker: "w3")
        let alive = try await control.workers()
        XCTAssertEqual(alive, [])
        let infos = try await admin.send("HKEYS", key("workers:info"))
        XCTAssertEqual(infos, .array([]))
    }

    func testCountersAddUpAcrossProcesses() async throws {
        let a = try await backend(), b = try await backend()
        try await a.addCounters(["bytes_copied": 1000, "blobs_copied": 1, "blobs_skipped": 0])
        try await b.addCounters(["bytes_copied": 24, "blobs_mounted": 2])
        let counters = try await a.counters()
        XCTAssertEqual(counters, ["bytes_copied": 1024, "blobs_copied": 1, "blobs_mounted": 2])
    }

    func testStatsDescribeTheQueue() async throws {
        let queue = try await backend()
        try await queue.enqueue([job(.image), job(.image), job(.tag), job(.blob), job(.commit), job(.blob), job(.blob)])
        let commit = try await take(queue)
        let blob = try await take(queue)
        let another = try await take(queue)
        try await queue.retry(blob, after: .seconds(60), countsAsAttempt: true, failure: transient)
        try await queue.bury(another, failure: fatal)
        let threeSecondsAgo = (Date().timeIntervalSince1970 - 3) * 1000
        let oldest = try await admin.send("LINDEX", key("pending:image"), 0).string ?? ""
        try await admin.send("HSET", key("job:\(oldest)"), "enqueued", Int64(threeSecondsAgo))

        let stats = try await queue.stats()
        XCTAssertEqual(stats.pending, [.commit: 0, .blob: 1, .tag: 1, .image: 2])
        XCTAssertEqual(stats.oldestPendingAge, 3, accuracy: 1)
        XCTAssertEqual(stats.delayed, 1)
        XCTAssertEqual(stats.inFlight, 1)
        XCTAssertEqual(stats.dead, 1)
        XCTAssertEqual(stats.retries, 1)
        try await queue.complete(commit)
    }

    func testInFlightNamesTheOwnerAndTheLeaseAge() async throws {
        let queue = try await backend(owner: "worker-7")
        let enqueued = job(.blob)
        try await queue.enqueue([enqueued])
        _ = try await take(queue)
        let twoSecondsAgo = (Date().timeIntervalSince1970 - 2) * 1000
        try await admin.send("HSET", key("job:\(enqueued.id)"), "leased", Int64(twoSecondsAgo))

        let inFlight = try await queue.inFlight()
        XCTAssertEqual(inFlight.map(\.job), [enqueued])
        XCTAssertEqual(inFlight.first?.worker, "worker-7")
        XCTAssertEqual(inFlight.first?.leaseAge ?? 0, 2, accuracy: 1)
    }

    func testDeadLettersAreRequeuedWithTheirAttemptsReset() async throws {
        let queue = try await backend()
        let jobs = [job(cycle: "c3"), job(cycle: "c3"), job(cycle: "c3")]
        try await queue.enqueue(jobs)
        for _ in 0..<3 { try await queue.retry(try await take(queue), after: .zero, countsAsAttempt: true, failure: transient) }
        for _ in 0..<3 { try await queue.bury(try await take(queue), failure: fatal) }
        let dead = try await queue.deadLetters(limit: 10)
        XCTAssertEqual(dead.map(\.job.attempts), [1, 1, 1])
        try await queue.waitForCycle("c3")

        let one = try await queue.requeueDead(id: jobs[1].id)
        XCTAssertEqual(one, 1)
        let requeued = try await take(queue)
        XCTAssertEqual(requeued.job.id, jobs[1].id)
        XCTAssertEqual(requeued.job.attempts, 0)
        let outstanding = try await queue.outstanding("c3")
        XCTAssertEqual(outstanding, 1, "the cycle counts it again")
        try await queue.complete(requeued)

        let rest = try await queue.requeueDead(id: nil)
        XCTAssertEqual(rest, 2)
        let none = try await queue.requeueDead(id: "no-such-job")
        XCTAssertEqual(none, 0)
        let stats = try await queue.stats()
        XCTAssertEqual(stats.dead, 0)
        XCTAssertEqual(stats.pending[.tag], 2)
    }

    func testARequeuedDeadChildDoesNotCountAgainstItsGroupAgain() async throws {
        let queue = try await backend()
        let children = [job(.blob), job(.blob), job(.blob)]
        try await queue.enqueue(JobGroup(children: children, continuation: job(.commit)))
        try await queue.bury(try await take(queue), failure: fatal)  // children[0]: 2 of 3 left
        _ = try await queue.requeueDead(id: nil)
        let taken = [try await take(queue), try await take(queue), try await take(queue)]
        XCTAssertEqual(taken.map(\.job.id), [children[1].id, children[2].id, children[0].id])
        try await queue.complete(taken[2])
        try await queue.complete(taken[0])
        let early = try await queue.take(timeout: .milliseconds(50))
        XCTAssertNil(early, "the group still waits for its third child")
        try await queue.complete(taken[1])
        let commit = try await take(queue)
        XCTAssertEqual(commit.job.kind, .commit)
        XCTAssertEqual(commit.groupFailure, fatal)
    }
}
