import Foundation
import Logging
import Queue

/// Runs jobs from the queue on `slots` concurrent tasks until told to stop.
public final class Worker: Sendable {
    let queue: JobQueue
    let handlers: JobHandlers
    let backoff: Backoff
    let slots: Int
    let stopping: StopFlag
    let logger: Logger
    private let busy = BusyCount()

    /// Slots running a job right now.
    public var busySlots: Int { busy.value }

    public init(queue: JobQueue, handlers: JobHandlers, backoff: Backoff, slots: Int, stopping: StopFlag, logger: Logger) {
        self.queue = queue; self.handlers = handlers; self.backoff = backoff
        self.slots = max(1, slots); self.stopping = stopping; self.logger = logger
    }

    /// Returns once stopped and every slot has finished the job it held.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<slots { group.addTask { await self.runSlot() } }
        }
    }

    private func runSlot() async {
        while !stopping.isSet {
            do {
                guard let leased = try await queue.take(timeout: .milliseconds(250)) else { continue }
                busy.add(1)
                await handle(leased)
                busy.add(-1)
            } catch {
                logger.warning("queue unavailable: \(error)")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    func handle(_ leased: LeasedJob) async {
        do {
            try await handlers.run(leased)
            try await queue.complete(leased)
        } catch {
            if Task.isCancelled {
                // Shutting down past the grace period: give the job back for another worker.
                try? await queue.release(leased)
                return
            }
            await fail(leased, error)
        }
    }

    private func fail(_ leased: LeasedJob, _ error: Error) async {
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
