import Foundation

/// What one call of the take script brought back.
struct Fetched: Sendable {
    var jobs: [LeasedJob]
    /// When nothing was ready: how long until a retry falls due or a lease lapses (nil: none is scheduled).
    var wake: Duration?
}

/// Hands jobs to the `take` callers of one process. One fetch loop runs while callers wait: each
/// call of the take script leases as many jobs as callers wait (plus `prefetch`), which is the
/// batching the fleet's throughput needs; when the queue is empty it blocks on the signal list
/// until an enqueue signals, a retry falls due or a lease lapses. Jobs fetched for callers that
/// gave up meanwhile stay buffered, leased and renewed, for the next caller, or are handed back by
/// `takeStale` when nobody wants them.
final class JobFetcher: @unchecked Sendable {
    typealias Fetch = @Sendable (_ max: Int) async throws -> Fetched
    /// Blocks on the signal list up to the duration; true when woken by a token.
    typealias Block = @Sendable (_ upTo: Duration) async -> Bool
    /// Puts a token back for another process's fetch loop.
    typealias PassOn = @Sendable () async -> Void

    static let maxBatch = 256
    static let maxBlock: Duration = .seconds(1)

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<LeasedJob?, Error>
        let deadline: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var waiters: [Waiter] = []  // first come, first served
    private var buffer: [(job: LeasedJob, since: ContinuousClock.Instant)] = []
    private var looping = false
    /// The earliest time a timer task will expire overdue waiters at; one timer for all waiters.
    private var timerAt: ContinuousClock.Instant?
    private var nextID: UInt64 = 0
    private let fetch: Fetch
    private let block: Block
    private let passOn: PassOn
    private let prefetch: Int

    init(prefetch: Int, fetch: @escaping Fetch, block: @escaping Block, passOn: @escaping PassOn) {
        self.prefetch = max(0, prefetch)
        self.fetch = fetch
        self.block = block
        self.passOn = passOn
    }

    /// A buffered job at once, else the next one fetched within `timeout`; nil when none came.
    func take(timeout: Duration) async throws -> LeasedJob? {
        try Task.checkCancellation()
        let id: UInt64 = lock.withLock { nextID += 1; return nextID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueueWaiter(id, continuation, timeout: timeout)
            }
        } onCancel: {
            giveUp(id, .failure(CancellationError()))
        }
    }

    /// Buffered jobs no caller took for `age`, removed from the buffer (to be released).
    func takeStale(olderThan age: Duration) -> [LeasedJob] {
        let limit = ContinuousClock.now - age
        return lock.withLock {
            let stale = buffer.filter { $0.since <= limit }.map(\.job)
            buffer.removeAll { $0.since <= limit }
            return stale
        }
    }

    /// Forgets buffered jobs whose leases were lost.
    func drop(_ ids: Set<String>) {
        lock.withLock { buffer.removeAll { ids.contains($0.job.job.id) } }
    }

    /// Every buffered job, removed (to be released on close).
    func drain() -> [LeasedJob] {
        lock.withLock {
            defer { buffer.removeAll() }
            return buffer.map(\.job)
        }
    }

    var bufferedCount: Int { lock.withLock { buffer.count } }

    private func enqueueWaiter(_ id: UInt64, _ continuation: CheckedContinuation<LeasedJob?, Error>, timeout: Duration) {
        enum Plan { case served(LeasedJob), cancelled, wait(startLoop: Bool, armTimer: Bool) }
        let deadline = ContinuousClock.now + timeout
        let plan: Plan = lock.withLock {
            if Task.isCancelled { return .cancelled }
            if !buffer.isEmpty { return .served(buffer.removeFirst().job) }
            waiters.append(Waiter(id: id, continuation: continuation, deadline: deadline))
            defer { looping = true }
            let armTimer = timerAt.map { deadline < $0 } ?? true
            if armTimer { timerAt = deadline }
            return .wait(startLoop: !looping, armTimer: armTimer)
        }
        switch plan {
        case .served(let job): continuation.resume(returning: job)
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .wait(let startLoop, let armTimer):
            if startLoop { Task { await self.loop() } }
            if armTimer { startTimer(until: deadline) }
        }
    }

    /// Sleeps until `instant`, then ends the waits that are over and re-arms for the next one.
    private func startTimer(until instant: ContinuousClock.Instant) {
        Task { [weak self] in
            try? await Task.sleep(until: instant, clock: .continuous)
            self?.expireWaiters()
        }
    }

    private func expireWaiters() {
        let now = ContinuousClock.now
        let (expired, next): ([Waiter], ContinuousClock.Instant?) = lock.withLock {
            let expired = waiters.filter { $0.deadline <= now }
            waiters.removeAll { $0.deadline <= now }
            let next = waiters.map(\.deadline).min()
            if timerAt.map({ $0 <= now }) ?? true { timerAt = next } else { return (expired, nil) }
            return (expired, next)
        }
        for waiter in expired { waiter.continuation.resume(returning: nil) }
        if let next { startTimer(until: next) }
    }

    private func giveUp(_ id: UInt64, _ result: Result<LeasedJob?, Error>) {
        let waiter: Waiter? = lock.withLock {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
        waiter?.continuation.resume(with: result)
    }

    private func loop() async {
        var woken = false
        while true {
            guard let want = demand() else {
                // Nobody waits any more: the wake-up this loop took belongs to another process.
                if woken { await passOn() }
                return
            }
            woken = false
            do {
                let fetched = try await fetch(want)
                deliver(fetched.jobs)
                if fetched.jobs.isEmpty {
                    let wait = min(fetched.wake ?? Self.maxBlock, Self.maxBlock)
                    if wait > .zero { woken = await block(wait) }
                }
            } catch {
                fail(error)
            }
        }
    }

    /// How many jobs to fetch; nil, and the loop ends, when nobody waits.
    private func demand() -> Int? {
        lock.withLock {
            guard !waiters.isEmpty else {
                looping = false
                return nil
            }
            return min(waiters.count + prefetch, Self.maxBatch)
        }
    }

    private func deliver(_ jobs: [LeasedJob]) {
        guard !jobs.isEmpty else { return }
        var served: [(Waiter, LeasedJob)] = []
        lock.withLock {
            for job in jobs {
                if waiters.isEmpty {
                    buffer.append((job, .now))
                } else {
                    served.append((waiters.removeFirst(), job))
                }
            }
        }
        for (waiter, job) in served { waiter.continuation.resume(returning: job) }
    }

    /// Every waiting caller gets the error (Redis unavailable, say); later callers try again.
    private func fail(_ error: Error) {
        let failed: [Waiter] = lock.withLock {
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in failed { waiter.continuation.resume(throwing: error) }
    }
}
