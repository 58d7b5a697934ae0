import Config
import Foundation
import Logging
import Queue
import Sync

/// The fleet's single leader: holds a lease in the backend, renews it, and while it leads
/// enqueues one image job per `sync.images` entry each interval. A standby keeps campaigning
/// and takes over within one lease TTL after the leader dies.
public struct Scheduler: Sendable {
    public struct Options: Sendable {
        public var leaseTTL: Duration
        /// Run one cycle, wait for it to finish, and return.
        public var once = false
        public init(leaseTTL: Duration) { self.leaseTTL = leaseTTL }
    }

    let backend: FleetBackend
    /// `sync.images` and `sync.interval`, as last reloaded.
    let config: ConfigReloader
    let options: Options
    let identity: String
    let logger: Logger

    public init(backend: FleetBackend, config: ConfigReloader, options: Options, identity: String = Scheduler.defaultIdentity(),
                logger: Logger) {
        self.backend = backend; self.config = config; self.options = options; self.identity = identity; self.logger = logger
    }

    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// Runs until `stop` is set (returns normally) or the fleet halts (throws `FleetStop`); resigns
    /// the leadership on the way out so a standby need not wait for the lease to lapse.
    public func run(stop: StopFlag) async throws {
        do {
            try await lead(stop: stop)
        } catch {
            try? await backend.control.resign(identity)
            throw error
        }
        try? await backend.control.resign(identity)
    }

    private func lead(stop: StopFlag) async throws {
        var leading = false
        var lastCycle: String?
        while !stop.isSet {
            config.check()
            // A new interval names cycles differently: the first of them starts at once.
            let clock = CycleClock(interval: config.current.config.sync.interval.duration)
            if let halt = try await backend.control.haltState() {
                throw FleetStop("the fleet is halted: \(halt.reason) (clear it with `docker-sync fleet resume`)")
            }
            let nowLeading = try await leading
                ? backend.control.renewLeadership(identity, ttl: options.leaseTTL)
                : backend.control.campaign(identity, ttl: options.leaseTTL)
            if nowLeading != leading { logger.info(nowLeading ? "became the leader" : "lost the leadership", metadata: ["id": "\(identity)"]) }
            leading = nowLeading
            if leading {
                let cycle = options.once ? "once-\(UUID().uuidString.lowercased())" : clock.cycle(at: Date())
                if cycle != lastCycle {
                    try await enqueueCycle(cycle)
                    lastCycle = cycle
                    if options.once { return try await finish(cycle) }
                }
            }
            await pause(until: leading ? min(clock.nextStart(after: Date()), renewalDue(fraction: 3)) : try await standbyWake(), stop: stop)
        }
    }

    private func enqueueCycle(_ cycle: String) async throws {
        let jobs = try config.current.setup.images.map { try Job.image($0, cycle: cycle) }
        try await backend.queue.enqueue(jobs)
        logger.info("enqueued sync cycle", metadata: ["cycle": "\(cycle)", "images": "\(jobs.count)"])
    }

    private func finish(_ cycle: String) async throws {
        // A halt stops the workers with jobs of the cycle still queued: it would never finish.
        // Meanwhile the lease is kept, so no standby starts a cycle of its own.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await backend.queue.waitForCycle(cycle) }
            group.addTask {
                while try await backend.control.haltState() == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(Int64(renewalDue(fraction: 3).timeIntervalSinceNow * 1000)))
                    guard try await backend.control.renewLeadership(identity, ttl: options.leaseTTL) else {
                        throw FleetStop("lost the leadership while cycle \(cycle) ran")
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
        if let halt = try await backend.control.haltState() {
            throw FleetStop("the fleet halted during cycle \(cycle): \(halt.reason)")
        }
        let failures = try await backend.reader.failureCount(cycle: cycle)
        logger.info("sync cycle finished", metadata: ["cycle": "\(cycle)", "failures": "\(failures)"])
        if failures > 0 { throw FleetStop("\(failures) tag syncs failed in cycle \(cycle)") }
    }

    /// A standby campaigns again when the leader's lease lapses (or at a tenth of the TTL, whichever
    /// comes first), so it takes over within a lease TTL of the leader's death.
    private func standbyWake() async throws -> Date {
        let poll = renewalDue(fraction: 10)
        guard let remaining = try await backend.control.leaseRemaining() else { return Date() }
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
        return min(poll, Date().addingTimeInterval(seconds + 0.01))
    }

    /// The leader renews at a third of the TTL, so two missed renewals still keep the lease; a standby
    /// looks every tenth, so it takes over soon after the lease lapses.
    private func renewalDue(fraction: Double) -> Date {
        let ttl = Double(options.leaseTTL.components.seconds) + Double(options.leaseTTL.components.attoseconds) / 1e18
        return Date().addingTimeInterval(ttl / fraction)
    }

    private func pause(until date: Date, stop: StopFlag) async {
        let seconds = max(0.01, date.timeIntervalSinceNow)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
            group.addTask { await stop.wait() }
            await group.next()
            group.cancelAll()
        }
    }
}
