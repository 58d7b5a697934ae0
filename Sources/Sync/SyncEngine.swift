import Foundation
import Logging
import OCI
import Queue

/// One image entry of `sync.images` (or of the `sync` command's flags).
public struct ImageSpec: Sendable, Equatable {
    public var source: String
    public var targets: [String]
    public var policy: TagPolicy
    /// Delete target tags the policy no longer selects from the source (`purge: true`).
    public var purge: Bool
    public init(source: String, targets: [String], policy: TagPolicy = TagPolicy(), purge: Bool = false) {
        self.source = source; self.targets = targets; self.policy = policy; self.purge = purge
    }
}

public struct EngineOptions: Sendable {
    /// Jobs in flight at once (tags and blobs).
    public var concurrency: Int = 8
    /// Jobs touching one registry at once.
    public var perRegistry: Int = 16
    public var backoff = Backoff()
    public var dryRun = false
    /// How long in-flight transfers may run on after a stop is requested.
    public var gracePeriod: Duration = .seconds(30)
    public init() {}
}

/// The embedded engine: scheduler, workers and reporter of one process on the in-memory queue.
/// The fleet runs the same `JobHandlers` on the Redis queue.
public final class SyncEngine: Sendable {
    let registries: Registries
    let options: EngineOptions
    let logger: Logger
    let queue: MemoryQueue
    let coordination: MemoryCoordination
    let onOutcome: @Sendable (Outcome) -> Void
    /// The running cycle's transfer figures, for a progress display.
    let statistics: TransferStatistics

    public convenience init(registries: Registries, options: EngineOptions, logger: Logger, statistics: TransferStatistics = TransferStatistics(),
                onOutcome: @escaping @Sendable (Outcome) -> Void = { _ in }) {
        self.init(registries: registries, options: options, logger: logger, statistics: statistics, onOutcome: onOutcome,
                  queue: MemoryQueue(), coordination: MemoryCoordination())
    }

    private init(registries: Registries, options: EngineOptions, logger: Logger, statistics: TransferStatistics,
                 onOutcome: @escaping @Sendable (Outcome) -> Void, queue: MemoryQueue, coordination: MemoryCoordination) {
        self.registries = registries; self.options = options; self.logger = logger
        self.statistics = statistics; self.onOutcome = onOutcome
        self.queue = queue; self.coordination = coordination
    }

    /// The same engine (queue, registry pauses, statistics, outcome sink) on a reloaded setup, for the
    /// cycles after the one running.
    public func reconfigured(_ setup: SyncSetup) -> SyncEngine {
        var options = setup.options
        options.gracePeriod = self.options.gracePeriod
        return SyncEngine(registries: setup.registries, options: options, logger: logger, statistics: statistics,
                          onOutcome: onOutcome, queue: queue, coordination: coordination)
    }

    /// Syncs every image once. Returns when all its jobs are done, or when `stop` is set and the
    /// jobs in flight have finished (or the grace period ran out).
    public func runCycle(_ images: [ImageSpec], stop: StopFlag = StopFlag()) async throws -> CycleReport {
        let started = ContinuousClock.now
        let cycle = UUID().uuidString.lowercased()
        let outcomes = MemoryOutcomeLog(onOutcome: onOutcome)
        statistics.reset()
        let handlers = JobHandlers(registries: registries, queue: queue, outcomes: outcomes, coordination: coordination,
                                   statistics: statistics, perRegistryLimit: options.perRegistry, logger: logger)
        let jobs = try images.map { try Job.image($0, cycle: cycle, dryRun: options.dryRun) }
        await queue.enqueue(jobs)
        let workersDone = StopFlag(), cycleDone = StopFlag()
        let worker = Worker(queue: queue, handlers: handlers, backoff: options.backoff, slots: options.concurrency,
                            stopping: workersDone, logger: logger)
        enum Finished { case workers, cycle, graceOver }
        let complete = await withTaskGroup(of: Finished.self, returning: Bool.self) { group in
            group.addTask { await worker.run(); return .workers }
            group.addTask { [queue] in
                await queue.waitForCycle(cycle)
                cycleDone.set()  // before the workers may return
                workersDone.set()
                await queue.interruptTakers()
                return .cycle
            }
            group.addTask { [options, queue] in
                await stop.wait()
                workersDone.set()
                await queue.interruptTakers()
                try? await Task.sleep(for: options.gracePeriod)
                return .graceOver
            }
            while let finished = await group.next() {
                switch finished {
                case .workers:
                    let complete = cycleDone.isSet
                    group.cancelAll()
                    await queue.stopWaiting(for: cycle)  // stopped early: the cycle task still waits
                    return complete
                case .graceOver: group.cancelAll()  // in-flight transfers are aborted; their jobs stay unfinished
                case .cycle: continue
                }
            }
            return cycleDone.isSet
        }
        var report = CycleReport(cycle: cycle, outcomes: await outcomes.outcomes, transfers: statistics.snapshot,
                                 duration: ContinuousClock.now - started)
        report.complete = complete
        return report
    }
}

extension ImageSpec {
    /// Parses the source and every target, so bad input fails before any work starts.
    public static func validated(_ image: ImageSpec) throws -> ImageSpec {
        _ = try sourceReference(image.source)
        for target in image.targets { _ = try TargetName(target) }
        return image
    }
}
