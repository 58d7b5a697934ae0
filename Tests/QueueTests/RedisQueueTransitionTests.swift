import Foundation
@testable import Queue
import Redis
import XCTest

/// Each Lua transition of the job state machine, against a real redis-server.
final class RedisQueueTransitionTests: RedisQueueTestCase {
    func testEnqueueStoresTheJobAndDropsAUniqueKeyItsCycleHasSeen() async throws {
        let queue = try await backend()
        let first = job(key: "image|alpine")
        try await queue.enqueue([first, job(key: "image|alpine"), job(cycle: "c2", key: "image|alpine")])
        try await queue.enqueue([job(key: "image|alpine")])

        let stats = try await queue.stats()
        XCTAssertEqual(stats.pending[.tag], 2, "once per cycle")
        let stored = try await admin.send("HGET", key("job:\(first.id)"), "payload")
        XCTAssertEqual(stored.string, #"{"image":"library/alpine"}"#, "the payload is kept as its own JSON")
        let outstanding = try await queue.outstanding("c1")
        XCTAssertEqual(outstanding, 1)
        let ttl = try await admin.send("TTL", key("cycle:c1:unique")).int ?? -1
        XCTAssertGreaterThan(ttl, 80_000, "unique keys are forgotten about a day later")
    }

    func testTakePrefersCommitThenBlobThenTagThenImage() async throws {
        let queue = try await backend()
        try await queue.enqueue([job(.image), job(.tag), job(.blob), job(.commit), job(.blob)])
        var kinds: [JobKind] = []
        for _ in 0..<5 { kinds.append(try await take(queue).job.kind) }
        XCTAssertEqual(kinds, [.commit, .blob, .blob, .tag, .image])
    }

    func testTakeLeasesTheJobToItsOwnerWithADeadline() async throws {
        let queue = try await backend(leaseTTL: .seconds(30), owner: "worker-a")
        let enqueued = job(.blob)
        try await queue.enqueue([enqueued])
        let leased = try await take(queue)
        XCTAssertEqual(leased.job, enqueued)

        let owner = try await admin.send("HGET", key("job:\(enqueued.id)"), "owner")
        XCTAssertEqual(owner.string, "worker-a")
        let deadline = try await admin.send("ZSCORE", key("leases"), enqueued.id).double ?? 0
        let remaining = deadline / 1000 - Date().timeIntervalSince1970
        XCTAssertEqual(remaining, 30, accuracy: 2)
        let none = try await queue.take(timeout: .milliseconds(50))
        XCTAssertNil(none, "a leased job is not handed out again")
    }

    func testCompleteDeletesTheJobAndCountsItDoneForItsCycle() async throws {
        let queue = try await backend()
        let enqueued = job()
        try await queue.enqueue([enqueued])
        try await queue.complete(try await take(queue))

        let exists = try await admin.send("EXISTS", key("job:\(enqueued.id)"))
        XCTAssertEqual(exists, .integer(0))
        let stats = try await queue.stats()
        XCTAssertEqual(stats.inFlight, 0)
        try await queue.waitForCycle("c1")
    }

    func testRetryComesBackAfterItsDelayCountingAnAttemptOnlyWhenAsked() async throws {
        let queue = try await backend()
        try await queue.enqueue([job()])
        let leased = try await take(queue)
        try await queue.retry(leased, after: .milliseconds(300), countsAsAttempt: true, failure: transient)
        let delayed = try await queue.stats()
        XCTAssertEqual(delayed.delayed, 1)
        XCTAssertEqual(delayed.retries, 1)

        let started = ContinuousClock.now
        let again = try await take(queue)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(250))
        XCTAssertEqual(again.job.attempts, 1)

        try await queue.retry(again, after: .zero, countsAsAttempt: false, failure: transient)
        let third = try await take(queue)
        XCTAssertEqual(third.job.attempts, 1, "a rate-limit pause does not burn an attempt")
        let stats = try await queue.stats()
        XCTAssertEqual(stats.retries, 1, "nor does it count as a retry")
    }

    func testReleasePutsTheJobBackAtTheFrontWithItsAttempts() async throws {
        let queue = try await backend()
        let first = job(), second = job()
        try await queue.enqueue([first, second])
        let leased = try await take(queue)
        XCTAssertEqual(leased.job.id, first.id)
        try await queue.release(leased)

        let again = try await take(queue)
        XCTAssertEqual(again.job.id, first.id, "released to the front of its list")
        XCTAssertEqual(again.job.attempts, 0)
    }

    func testBuryKeepsJobFailureAndTimeAsADeadLetter() async throws {
        let queue = try await backend()
        let enqueued = job()
        try await queue.enqueue([enqueued])
        try await queue.bury(try await take(queue), failure: fatal)

        let dead = try await queue.deadLetters(limit: 10)
        XCTAssertEqual(dead.map(\.job), [enqueued])
        XCTAssertEqual(dead.first?.failure, fatal)
        XCTAssertEqual(dead.first?.died ?? 0, Date().timeIntervalSince1970, accuracy: 5)
        let stats = try await queue.stats()
        XCTAssertEqual(stats.dead, 1)
        XCTAssertEqual(stats.inFlight, 0)
        try await queue.waitForCycle("c1")
    }

    func testDeadLettersAreBoundedByCountAndAge() async throws {
        let queue = try await backend(deadLetterMax: 3, deadLetterMaxAge: .seconds(7200))
        let jobs = (0..<5).map { _ in job() }
        try await queue.enqueue(jobs)
        let hourAgo = (Date().timeIntervalSince1970 - 3600) * 1000
        for index in 0..<4 {
            try await queue.bury(try await take(queue), failure: fatal)
            // Deaths a second apart, an hour ago (within one millisecond they would tie).
            try await admin.send("ZADD", key("dead"), "XX", hourAgo + Double(index) * 1000, jobs[index].id)
        }
        var dead = try await queue.deadLetters(limit: 10)
        XCTAssertEqual(dead.map(\.job.id), [jobs[3].id, jobs[2].id, jobs[1].id], "the newest three, newest first")
        let dropped = try await admin.send("EXISTS", key("job:\(jobs[0].id)"))
        XCTAssertEqual(dropped, .integer(0), "a dropped dead letter leaves nothing behind")

        // jobs[1] died three hours ago, past the maximum age of two: it goes with the next burial.
        try await admin.send("ZADD", key("dead"), "XX", hourAgo - 2 * 3_600_000, jobs[1].id)
        try await queue.bury(try await take(queue), failure: fatal)
        dead = try await queue.deadLetters(limit: 10)
        XCTAssertEqual(dead.map(\.job.id), [jobs[4].id, jobs[3].id, jobs[2].id])
    }

    func testTheLastChildOfAGroupReleasesTheContinuationWithTheFirstFailure() async throws {
        let queue = try await backend()
        let commit = job(.commit)
        let group = JobGroup(children: [job(.blob), job(.blob), job(.blob)], continuation: commit)
        try await queue.enqueue(group)
        let remaining = try await admin.send("HGET", key("group:\(group.id)"), "remaining")
        XCTAssertEqual(remaining.int, 3)

        let blobs = [try await take(queue), try await take(queue), try await take(queue)]
        XCTAssertEqual(blobs.map(\.job.kind), [.blob, .blob, .blob])
        try await queue.complete(blobs[0])
        try await queue.bury(blobs[1], failure: fatal)
        let early = try await queue.take(timeout: .milliseconds(50))
        XCTAssertNil(early, "the commit waits for every blob")
        try await queue.bury(blobs[2], failure: JobFailure(errorClass: .fatal, message: "second failure"))

        let continuation = try await take(queue)
        XCTAssertEqual(continuation.job.id, commit.id)
        XCTAssertEqual(continuation.groupFailure, fatal, "the first failure of the group")
        let gone = try await admin.send("EXISTS", key("group:\(group.id)"))
        XCTAssertEqual(gone, .integer(0))
        let outstanding = try await queue.outstanding("c1")
        XCTAssertEqual(outstanding, 1, "the commit counts until it finishes")
        try await queue.complete(continuation)
        try await queue.waitForCycle("c1")
    }

    func testAGroupWhoseChildrenAllSucceedHandsTheContinuationNoFailure() async throws {
        let queue = try await backend()
        let commit = job(.commit)
        try await queue.enqueue(JobGroup(children: [job(.blob)], continuation: commit))
        try await queue.complete(try await take(queue))
        let continuation = try await take(queue)
        XCTAssertEqual(continuation.job.id, commit.id)
        XCTAssertNil(continuation.groupFailure)
    }

    func testAnEmptyGroupReleasesItsContinuationAtOnce() async throws {
        let queue = try await backend()
        let commit = job(.commit)
        try await queue.enqueue(JobGroup(children: [], continuation: commit))
        let continuation = try await take(queue)
        XCTAssertEqual(continuation.job.id, commit.id)
        XCTAssertNil(continuation.groupFailure)
    }

    func testAReleasedContinuationKeepsItsGroupFailure() async throws {
        let queue = try await backend()
        try await queue.enqueue(JobGroup(children: [job(.blob)], continuation: job(.commit)))
        try await queue.bury(try await take(queue), failure: fatal)
        try await queue.release(try await take(queue))
        let again = try await take(queue)
        XCTAssertEqual(again.groupFailure, fatal)
    }

    func testWaitForCycleReturnsWhenItsLastJobFinishes() async throws {
        let queue = try await backend()
        try await queue.waitForCycle("never-enqueued")
        try await queue.enqueue([job(cycle: "c9"), job(cycle: "c9"), job(cycle: "other")])
        let first = try await take(queue), second = try await take(queue)
        try await queue.complete(first)

        let waiting = Task { try await queue.waitForCycle("c9") }
        let outstanding = try await queue.outstanding("c9")
        XCTAssertEqual(outstanding, 1)
        try await queue.bury(second, failure: fatal)
        try await waiting.value
        let ttl = try await admin.send("TTL", key("cycle:c9")).int ?? -1
        XCTAssertGreaterThan(ttl, 80_000, "cycle keys expire after a day")
    }

    func testAWaitingTakerIsWokenByAnEnqueue() async throws {
        let queue = try await backend()
        let producer = try await backend()
        try await eventually { try await self.blockedClients() == 0 }  // earlier tests' takers have timed out
        let taking = Task { try await queue.take(timeout: .seconds(10)) }
        try await eventually { try await self.blockedClients() == 1 }
        let started = ContinuousClock.now
        let added = job()
        try await producer.enqueue([added])
        let taken = try await taking.value
        XCTAssertEqual(taken?.job.id, added.id)
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(500), "woken by the enqueue's signal, not by polling")
    }

    func testTakeReturnsNilAfterItsTimeoutWhenNothingIsPending() async throws {
        let queue = try await backend()
        let started = ContinuousClock.now
        let none = try await queue.take(timeout: .milliseconds(200))
        XCTAssertNil(none)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(190))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testManyConcurrentTakersEachGetADistinctJob() async throws {
        let queue = try await backend()
        let jobs = (0..<300).map { _ in job(.blob) }
        try await queue.enqueue(jobs)
        let taken = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var ids: [String] = []
                    while let leased = try await queue.take(timeout: .milliseconds(200)) {
                        ids.append(leased.job.id)
                        try await queue.complete(leased)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        XCTAssertEqual(taken.count, 300)
        XCTAssertEqual(Set(taken), Set(jobs.map(\.id)))
        try await queue.waitForCycle("c1")
    }

    private func blockedClients() async throws -> Int? {
        let info = try await admin.send("INFO", "clients").string ?? ""
        let line = info.split(separator: "\r\n").first { $0.hasPrefix("blocked_clients:") }
        return line.flatMap { Int($0.dropFirst("blocked_clients:".count)) }
    }
}
