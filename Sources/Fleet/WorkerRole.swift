import Foundation
import Logging
import Queue
import Sync

/// A worker process of the fleet: runs jobs from the shared queue on `slots` slots, sends
/// heartbeats, adds its transfer counts to the fleet's counters, and stops when the fleet halts.
/// It looks at its config file at every heartbeat: the registries (credentials above all), the
/// retry and the concurrency of a reload apply to the jobs taken after it.
public struct WorkerRole: Sendable {
    public struct Options: Sendable {
        public var gracePeriod: Duration = .seconds(30)
        public var heartbeat: Duration = .seconds(2)
        public init() {}
    }

    let backend: FleetBackend
    /// The registries, `sync.retry` and `sync.concurrency`, as last reloaded.
    let config: ConfigReloader
    let options: Options
    let logger: Logger
    public let id: String

    public init(backend: FleetBackend, config: ConfigReloader, options: Options = Options(), logger: Logger,
                id: String = Scheduler.defaultIdentity()) {
        self.backend = backend; self.config = config; self.options = options; self.logger = logger; self.id = id
    }

    /// Returns when stopped by `stop`; throws `FleetStop` when the fleet halted.
    public func run(stop: StopFlag) async throws {
        let statistics = TransferStatistics()
        let handlers = CurrentHandlers()
        let slotsStop = StopFlag()
        let worker = Worker(queue: backend.queue, stopping: slotsStop, logger: logger) { [backend, config, logger] in
            let live = config.current
            let options = live.setup.options
            let current = handlers.get(generation: live.generation) {
                JobHandlers(registries: live.setup.registries, queue: backend.queue, outcomes: backend.outcomes,
                            coordination: backend.coordination, statistics: statistics,
                            perRegistryLimit: options.perRegistry, logger: logger)
            }
            return Worker.Setup(handlers: current, backoff: options.backoff, slots: options.concurrency)
        }
        let halted = HaltWatch()
        logger.info("worker started", metadata: ["id": "\(id)", "slots": "\(config.current.setup.options.concurrency)"])
        enum Finished { case workers, graceOver, other }
        await withTaskGroup(of: Finished.self) { group in
            group.addTask { await worker.run(); return .workers }
            group.addTask { await heartbeats(worker: worker, statistics: statistics, halted: halted, stop: stop, slotsStop: slotsStop); return .other }
            group.addTask { [options] in
                await slotsStop.wait()
                try? await Task.sleep(for: options.gracePeriod)
                return .graceOver
            }
            group.addTask { await stop.wait(); slotsStop.set(); return .other }
            while let finished = await group.next() {
                if finished == .workers { break }
                if finished == .graceOver { group.cancelAll() }
            }
            group.cancelAll()
        }
        try? await flush(statistics)
        try? await backend.control.retire(worker: id)
        logger.info("worker stopped", metadata: ["id": "\(id)"])
        if let halt = halted.state { throw FleetStop("the fleet halted: \(halt.reason)") }
    }

    private func heartbeats(worker: Worker, statistics: TransferStatistics, halted: HaltWatch, stop: StopFlag, slotsStop: StopFlag) async {
        let ttl = options.heartbeat * 5
        while !slotsStop.isSet {
            config.check()
            do {
                let info = WorkerInfo(id: id, host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier,
                                      slots: config.current.setup.options.concurrency, busy: worker.busySlots,
                                      seen: Date().timeIntervalSince1970)
                try await backend.control.heartbeat(info, ttl: ttl)
                try await flush(statistics)
                if let halt = try await backend.control.haltState() {
                    logger.error("the fleet halted: \(halt.reason); finishing the jobs in hand")
                    halted.state = halt
                    slotsStop.set()
                }
            } catch {
                logger.warning("heartbeat failed: \(error)")
            }
            await sleep(options.heartbeat, unless: slotsStop)
        }
    }

    private func flush(_ statistics: TransferStatistics) async throws {
        let sent = statistics.takeUnreported()
        guard sent != TransferStatistics.Snapshot() else { return }
        try await backend.control.addCounters([
            "blobs_copied": Int64(sent.blobsCopied), "blobs_mounted": Int64(sent.blobsMounted),
            "blobs_skipped": Int64(sent.blobsSkipped), "bytes_copied": sent.bytesCopied,
        ])
    }
}

final class HaltWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var value: HaltState?
    var state: HaltState? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// The job handlers of the config generation in force: made once per reload, shared by its jobs.
final class CurrentHandlers: @unchecked Sendable {
    private let lock = NSLock()
    private var made: (generation: Int, handlers: JobHandlers)?

    func get(generation: Int, make: () -> JobHandlers) -> JobHandlers {
        lock.withLock {
            if let made, made.generation == generation { return made.handlers }
            let handlers = make()
            made = (generation, handlers)
            return handlers
        }
    }
}
