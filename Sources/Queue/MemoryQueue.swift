import Foundation

/// The embedded queue: one process, no Redis, the same semantics as the fleet's queue
/// (unique keys per cycle, groups with continuations, delayed retries, dead letters).
public actor MemoryQueue: JobQueue {
    private var ready: [Job] = []
    private var readyHead = 0
    private var delayed: [(due: ContinuousClock.Instant, job: Job)] = []
    private var seenKeys = Set<String>()
    private var groups: [String: GroupState] = [:]
    private var outstanding: [String: Int] = [:]
    private var cycleWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private var takers: [UInt64: CheckedContinuation<Job?, Never>] = [:]
    private var takerOrder: [UInt64] = []
    private var nextTaker: UInt64 = 0
    private var interruptions = 0
    public private(set) var deadLetters: [(job: Job, failure: JobFailure)] = []
    private let maxDeadLetters: Int

    private struct GroupState { var remaining: Int; var failure: JobFailure?; var continuation: Job }

    public init(maxDeadLetters: Int = 10_000) { self.maxDeadLetters = maxDeadLetters }

    public func enqueue(_ jobs: [Job]) {
        for job in jobs { add(job) }
    }

    public func enqueue(_ group: JobGroup) {
        guard !group.children.isEmpty else { return add(group.continuation) }
        outstanding[group.continuation.cycle, default: 0] += 1  // held by the group until it is released
        groups[group.id] = GroupState(remaining: group.children.count, failure: nil, continuation: group.continuation)
        for child in group.children { add(child) }
    }

    public func take(timeout: Duration) async -> LeasedJob? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let generation = interruptions
        while generation == interruptions {
            promoteDueJobs()
            if let job = popReady() { return lease(job) }
            let now = ContinuousClock.now
            guard now < deadline else { return nil }
            let wakeAt = min(deadline, delayed.map(\.due).min() ?? deadline)
            if let job = await waitForJob(until: wakeAt) { return lease(job) }
        }
        return nil
    }

    /// Every waiting `take` returns nil now (its caller is being told to stop).
    public func interruptTakers() {
        interruptions += 1
        let waiting = takers.values
        takers.removeAll()
        takerOrder.removeAll()
        for taker in waiting { taker.resume(returning: nil) }
    }

    public func complete(_ leased: LeasedJob) { finish(leased.job, failure: nil) }

    public func retry(_ leased: LeasedJob, after delay: Duration, countsAsAttempt: Bool, failure: JobFailure) {
        var job = leased.job
        if countsAsAttempt { job.attempts += 1 }
        delayed.append((ContinuousClock.now.advanced(by: delay), job))
        wakeTakerForDelayed()
    }

    public func release(_ leased: LeasedJob) {
        if let failure = leased.groupFailure { groupFailures[leased.job.id] = failure }
        push(leased.job)
    }

    public func bury(_ leased: LeasedJob, failure: JobFailure) {
        deadLetters.append((leased.job, failure))
        if deadLetters.count > maxDeadLetters { deadLetters.removeFirst(deadLetters.count - maxDeadLetters) }
        finish(leased.job, failure: failure)
    }

    public func waitForCycle(_ cycle: String) async {
        guard outstanding[cycle, default: 0] > 0, !abandonedCycles.contains(cycle) else { return }
        await withCheckedContinuation { cycleWaiters[cycle, default: []].append($0) }
    }

    /// Every `waitForCycle(cycle)` returns now, though jobs of it are left: an engine stopped by a
    /// signal gives up on the cycle (its waiter would otherwise never return). A wait that only starts
    /// afterwards returns at once too: the engine may give up before its waiting task has run.
    public func stopWaiting(for cycle: String) {
        abandonedCycles.insert(cycle)
        for waiter in cycleWaiters.removeValue(forKey: cycle) ?? [] { waiter.resume() }
    }

    public var depth: Int { ready.count - readyHead + delayed.count }

    /// Callers of `take` waiting for a job right now.
    public var waitingTakers: Int { takers.count }

    // MARK: - Internals

    private var groupFailures: [String: JobFailure] = [:]
    /// Cycles an engine stopped waiting for (at shutdown; a handful per process).
    private var abandonedCycles: Set<String> = []

    private func lease(_ job: Job) -> LeasedJob {
        LeasedJob(job: job, groupFailure: groupFailures.removeValue(forKey: job.id))
    }

    private func add(_ job: Job) {
        if let key = job.uniqueKey {
            guard seenKeys.insert("\(job.cycle)\u{0}\(key)").inserted else { return }
        }
        outstanding[job.cycle, default: 0] += 1
        push(job)
    }

    private func push(_ job: Job) {
        if let id = takerOrder.first {
            takerOrder.removeFirst()
            takers.removeValue(forKey: id)?.resume(returning: job)
        } else {
            ready.append(job)
        }
    }

    private func popReady() -> Job? {
        guard readyHead < ready.count else { return nil }
        let job = ready[readyHead]
        readyHead += 1
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
        return job
    }

    private func promoteDueJobs() {
        guard !delayed.isEmpty else { return }
        let now = ContinuousClock.now
        let due = delayed.filter { $0.due <= now }
        guard !due.isEmpty else { return }
        delayed.removeAll { $0.due <= now }
        for entry in due.sorted(by: { $0.due < $1.due }) { ready.append(entry.job) }
    }

    private func finish(_ job: Job, failure: JobFailure?) {
        if let groupID = job.group, var state = groups[groupID] {
            state.remaining -= 1
            state.failure = state.failure ?? failure
            if state.remaining == 0 {
                groups.removeValue(forKey: groupID)
                if let failure = state.failure { groupFailures[state.continuation.id] = failure }
                push(state.continuation)  // already counted as outstanding when the group was enqueued
            } else {
                groups[groupID] = state
            }
        }
        let left = outstanding[job.cycle, default: 1] - 1
        if left <= 0 {
            outstanding.removeValue(forKey: job.cycle)
            for waiter in cycleWaiters.removeValue(forKey: job.cycle) ?? [] { waiter.resume() }
        } else {
            outstanding[job.cycle] = left
        }
    }

    private func waitForJob(until wakeAt: ContinuousClock.Instant) async -> Job? {
        let id = nextTaker
        nextTaker += 1
        return await withCheckedContinuation { continuation in
            takers[id] = continuation
            takerOrder.append(id)
            Task { [weak self] in
                try? await Task.sleep(until: wakeAt, clock: .continuous)
                await self?.expireTaker(id)
            }
        }
    }

    private func expireTaker(_ id: UInt64) {
        guard let continuation = takers.removeValue(forKey: id) else { return }
        takerOrder.removeAll { $0 == id }
        continuation.resume(returning: nil)
    }

    /// A delayed job's due time may be earlier than every waiting taker's wake-up: wake one so it re-plans.
    private func wakeTakerForDelayed() {
        guard let id = takerOrder.first else { return }
        takerOrder.removeFirst()
        takers.removeValue(forKey: id)?.resume(returning: nil)
    }
}
