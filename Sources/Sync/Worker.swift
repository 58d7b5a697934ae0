import Foundation
import Logging
import Queue

/// Runs jobs from the queue on concurrent slots until told to stop. What a job runs with (its
/// handlers, the backoff, the number of slots) is asked for when it is taken, so a reloaded config
/// applies to the next jobs while the jobs in flight finish as they started.
public final class Worker: Sendable {
    /// What the next job runs with.
    public struct Setup: Sendable {
        public var handlers: JobHandlers
        public var backoff: Backoff
        public var slots: Int
        public init(handlers: JobHandlers, backoff: Backoff, slots: Int) {
            self.handlers = handlers; self.backoff = backoff; self.slots = max(1, slots)
        }
    }

    let queue: JobQueue
    let setup: @Sendable () -> Setup
    let stopping: StopFlag
    let logger: Logger
    private let busy = BusyCount()
    private let running = SlotTable()

    /// Slots running a job right now.
    public var busySlots: Int { busy.value }

    public convenience init(queue: JobQueue, handlers: JobHandlers, backoff: Backoff, slots: Int, stopping: StopFlag, logger: Logger) {
        let setup = Setup(handlers: handlers, backoff: backoff, slots: slots)
        self.init(queue: queue, stopping: stopping, logger: logger, setup: { setup })
    }

    public init(queue: JobQueue, stopping: StopFlag, logger: Logger, setup: @escaping @Sendable () -> Setup) {
        self.queue = queue; self.setup = setup; self.stopping = stopping; self.logger = logger
    }

    /// Returns once stopped and every slot has finished the job it held. A larger slot count starts
    /// slots within a second; with a smaller one the surplus slots end after their job.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            while !stopping.isSet {
                for index in running.claim(below: setup().slots) { group.addTask { await self.runSlot(index) } }
                await sleep(.seconds(1), unless: stopping)
            }
        }
    }

    private func runSlot(_ index: Int) async {
        while running.keeps(index, below: stopping.isSet ? 0 : setup().slots) {
            do {
                guard let leased = try await queue.take(timeout: .milliseconds(250)) else { continue }
                busy.add(1)
                await handle(leased, setup())
                busy.add(-1)
            } catch {
                logger.warning("queue unavailable: \(error)")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    func handle(_ leased: LeasedJob, _ setup: Setup) async {
        do {
            try await setup.handlers.run(leased)
            try await queue.complete(leased)
        } catch {
            if Task.isCancelled {
                // Shutting down past the grace period: give the job back for another worker.
                try? await queue.release(leased)
                return
            }
            await fail(leased, error, setup)
        }
    }

    private func fail(_ leased: LeasedJob, _ error: Error, _ setup: Setup) async {
        let (handlers, backoff) = (setup.handlers, setup.backoff)
        let failure = JobFailure(error)
        let job = leased.job
        do {
            switch failure.errorClass {
            case .rateLimited:
                let classified = error as? ClassifiedError
                let until = classified?.retryAt ?? Date().timeIntervalSince1970 + 1
                if let host = classified?.registryHost { try await handlers.coordination.pause(registry: host, until: until) }
                let wait = max(0.05, until - Date().timeIntervalSince1970)
                let retrying = "retrying in \(String(format: "%.1f", wait)) s"
                if error is DeferredError {
                    logger.debug("\(failure.message); \(retrying)", metadata: ["job": "\(job.kind.rawValue)"])
                } else {
                    logger.info("rate limited: \(failure.message); \(retrying)", metadata: ["job": "\(job.kind.rawValue)"])
                }
                try await queue.retry(leased, after: .milliseconds(Int64(wait * 1000)), countsAsAttempt: false, failure: failure)
            case .retryable where job.attempts + 1 < backoff.attempts:
                let delay = backoff.delay(forAttempt: job.attempts)
                logger.info("\(job.kind.rawValue) job failed (attempt \(job.attempts + 1) of \(backoff.attempts)), retrying in \(delay): \(failure.message)")
                try await queue.retry(leased, after: delay, countsAsAttempt: true, failure: failure)
            default:
                try await handlers.buried(leased, failure)
                try await queue.bury(leased, failure: failure)
            }
        } catch {
            logger.error("could not file the failure of a \(job.kind.rawValue) job: \(error)")
        }
    }
}

/// Set once, read by every slot and awaitable: stop taking jobs.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var nextWaiter: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]

    public init() {}

    public var isSet: Bool { lock.withLock { value } }

    public func set() {
        let resumed = lock.withLock {
            value = true
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Returns once the flag is set, or when the waiting task is cancelled.
    public func wait() async {
        let id = lock.withLock { nextWaiter += 1; return nextWaiter }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = lock.withLock {
                    if value || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

private final class BusyCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ delta: Int) { lock.withLock { count += delta } }
}

/// The indices of the slots running, so that a slot count going down and up again never runs two
/// slots of one index, nor leaves one missing.
final class SlotTable: @unchecked Sendable {
    private let lock = NSLock()
    private var indices = Set<Int>()

    /// The indices below `count` not running yet, now marked running.
    func claim(below count: Int) -> [Int] {
        lock.withLock {
            let missing = (0..<count).filter { !indices.contains($0) }
            indices.formUnion(missing)
            return missing
        }
    }

    /// Whether slot `index` goes on; when not, it is no longer running.
    func keeps(_ index: Int, below count: Int) -> Bool {
        lock.withLock {
            guard index >= count else { return true }
            indices.remove(index)
            return false
        }
    }
}

/// Sleeps for `duration`, or less when `flag` is set meanwhile.
public func sleep(_ duration: Duration, unless flag: StopFlag) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { try? await Task.sleep(for: duration) }
        group.addTask { await flag.wait() }
        await group.next()
        group.cancelAll()
    }
}
