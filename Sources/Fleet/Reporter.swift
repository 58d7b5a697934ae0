import Foundation
import Logging
import Queue
import Sync
import Telemetry

/// Reads job outcomes, logs a line per failure, halts the fleet when a cycle's failures reach
/// `sync.maxerrors` (0 = never), and keeps the fleet metrics up to date.
public struct Reporter: Sendable {
    public struct Options: Sendable {
        /// How often the metrics are refreshed from the backend (and the config file looked at).
        public var refresh: Duration = .seconds(2)
        public init() {}
    }

    let backend: FleetBackend
    /// `sync.maxerrors`, as last reloaded.
    let config: ConfigReloader
    let metrics: FleetMetrics
    let options: Options
    let logger: Logger
    let consumer: String

    public init(backend: FleetBackend, config: ConfigReloader, metrics: FleetMetrics, options: Options = Options(), logger: Logger,
                consumer: String = "reporter") {
        self.backend = backend; self.config = config; self.metrics = metrics; self.options = options
        self.logger = logger; self.consumer = consumer
    }

    /// Runs until `stop` is set.
    public func run(stop: StopFlag) async throws {
        var lastRefresh = ContinuousClock.now - options.refresh
        while !stop.isSet {
            do {
                let outcomes = try await backend.reader.next(consumer: consumer, timeout: .milliseconds(500))
                try await handle(outcomes)
                if ContinuousClock.now - lastRefresh >= options.refresh {
                    config.check()
                    try await refreshMetrics()
                    lastRefresh = .now
                }
            } catch {
                logger.warning("reporter: backend unavailable: \(error)")
                await sleep(.seconds(1), unless: stop)
            }
        }
    }

    func handle(_ outcomes: [Outcome]) async throws {
        var cycles = Set<String>()
        for outcome in outcomes {
            metrics.record(outcome)
            guard outcome.status == .failed else { continue }
            cycles.insert(outcome.cycle)
            logger.error("sync failed", metadata: [
                "image": "\(outcome.source)", "tag": "\(outcome.tag ?? "-")", "target": "\(outcome.target ?? "-")",
                "class": "\(outcome.failure?.errorClass.rawValue ?? "-")", "error": "\(outcome.failure?.message ?? "")",
            ])
        }
        let maxErrors = config.current.config.sync.maxErrors
        guard maxErrors > 0 else { return }
        for cycle in cycles.sorted() {
            let failures = try await backend.reader.failureCount(cycle: cycle)
            guard failures >= maxErrors, try await backend.control.haltState() == nil else { continue }
            let reason = "\(failures) failures in cycle \(cycle) reached sync.maxerrors (\(maxErrors))"
            try await backend.control.halt(HaltState(reason: reason, cycle: cycle, since: Date().timeIntervalSince1970))
            logger.critical("halting the fleet: \(reason)")
        }
    }

    func refreshMetrics() async throws {
        let control = backend.control
        metrics.update(stats: try await control.stats(), leader: try await control.leader(), halted: try await control.haltState(),
                       workers: try await control.workers().count, counters: try await control.counters())
    }
}
