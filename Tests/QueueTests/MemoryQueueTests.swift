import Foundation
import Queue
import XCTest

final class MemoryQueueTests: XCTestCase {
    func job(_ kind: JobKind = .tag, cycle: String = "c1", key: String? = nil) -> Job {
        Job(kind: kind, payload: Data("{}".utf8), cycle: cycle, uniqueKey: key)
    }

    func testJobsAreTakenInOrderAndTheCycleEndsWhenAllComplete() async throws {
        let queue = MemoryQueue()
        let a = job(), b = job()
        await queue.enqueue([a, b])
        let first = await queue.take(timeout: .seconds(1))
        let second = await queue.take(timeout: .seconds(1))
        XCTAssertEqual(first?.job.id, a.id)
        XCTAssertEqual(second?.job.id, b.id)
        await queue.complete(first!)
        let done = Task { await queue.waitForCycle("c1") }
        await queue.complete(second!)
        await done.value
        let none = await queue.take(timeout: .milliseconds(20))
        XCTAssertNil(none)
    }

    func testAWaitStartedAfterTheEngineGaveUpOnTheCycleReturnsAtOnce() async {
        let queue = MemoryQueue()
        await queue.enqueue([job(), job(cycle: "c2")])
        await queue.stopWaiting(for: "c1")
        await queue.waitForCycle("c1")  // would never return: c1 still has a job outstanding
        let depth = await queue.depth
        XCTAssertEqual(depth, 2, "giving up on a cycle leaves its jobs where they are")
    }

    func testAUniqueKeyIsEnqueuedOncePerCycle() async {
        let queue = MemoryQueue()
        await queue.enqueue([job(key: "image|x"), job(key: "image|x"), job(cycle: "c2", key: "image|x")])
        let depth = await queue.depth
        XCTAssertEqual(depth, 2)
    }

    func testAGroupReleasesItsContinuationAfterTheLastChild() async throws {
        let queue = MemoryQueue()
        let commit = job(.commit)
        await queue.enqueue(JobGroup(children: [job(.blob), job(.blob)], continuation: commit))
        let first = await queue.take(timeout: .seconds(1))!
        let second = await queue.take(timeout: .seconds(1))!
        XCTAssertEqual(first.job.kind, .blob)
        await queue.complete(first)
        let early = await queue.take(timeout: .milliseconds(20))
        XCTAssertNil(early, "the commit must wait for every blob")
        await queue.bury(second, failure: JobFailure(errorClass: .fatal, message: "blob gone", status: 404))
        let continuation = await queue.take(timeout: .seconds(1))
        XCTAssertEqual(continuation?.job.id, commit.id)
        XCTAssertEqual(continuation?.groupFailure?.message, "blob gone")
        await queue.complete(continuation!)
        await queue.waitForCycle("c1")
    }

    func testARetriedJobComesBackAfterItsDelayWithItsAttemptCounted() async throws {
        let queue = MemoryQueue()
        await queue.enqueue([job()])
        let leased = await queue.take(timeout: .seconds(1))!
        let failure = JobFailure(errorClass: .retryable, message: "503")
        await queue.retry(leased, after: .milliseconds(50), countsAsAttempt: true, failure: failure)
        let started = ContinuousClock.now
        let again = await queue.take(timeout: .seconds(2))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(40))
        XCTAssertEqual(again?.job.attempts, 1)
        await queue.retry(again!, after: .zero, countsAsAttempt: false, failure: failure)
        let third = await queue.take(timeout: .seconds(1))
        XCTAssertEqual(third?.job.attempts, 1, "a rate-limit pause does not burn an attempt")
    }

    func testABuriedJobBecomesADeadLetter() async {
        let queue = MemoryQueue()
        await queue.enqueue([job()])
        let leased = await queue.take(timeout: .seconds(1))!
        await queue.bury(leased, failure: JobFailure(errorClass: .fatal, message: "401"))
        let dead = await queue.deadLetters
        XCTAssertEqual(dead.map(\.failure.message), ["401"])
        await queue.waitForCycle("c1")
    }

    func testAWaitingTakerIsWokenByAnEnqueue() async {
        let queue = MemoryQueue()
        async let taken = queue.take(timeout: .seconds(5))
        while await queue.waitingTakers == 0 { await Task.yield() }
        let added = job()
        await queue.enqueue([added])
        let result = await taken
        XCTAssertEqual(result?.job.id, added.id)
    }
}
