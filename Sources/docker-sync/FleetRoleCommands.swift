import ArgumentParser
import Config
import Fleet
import Foundation
import Sync
import Telemetry

struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Lead the fleet: every sync.interval, enqueue one job per image (one leader at a time).")

    @OptionGroup var fleet: FleetOptions

    @Flag(help: "Run one cycle, wait until it completes, and exit (non-zero if anything failed).")
    var once = false

    func run() async throws {
        ignoreHangups()
        try await runRole {
            let (config, path) = try fleet.loadFile(configRequired: true)
            let logger = try makeLogger(config)
            let backend = try await fleet.backend(config, logger: logger)
            let reloader = try fleet.reloader(config, path: path, logger: logger) { try SyncSetup(config: $0, logger: logger) }
            var options = Scheduler.Options(leaseTTL: config.redis.leaseTTL.duration)
            options.once = once
            let stop = StopFlag()
            let signals = stopOnSignals(stop) + [reloadOnHangup(reloader)]
            defer { signals.forEach { $0.cancel() } }
            try await backend.using { try await Scheduler(backend: $0, config: reloader, options: options, logger: logger).run(stop: stop) }
        }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Take jobs from the fleet's queue and run them.")

    @OptionGroup var fleet: FleetOptions

    @Option(help: "Jobs run at once by this process.")
    var concurrency: Int?

    func run() async throws {
        ignoreHangups()
        try await runRole {
            let (config, path) = try fleet.loadFile(configRequired: false)
            let logger = try makeLogger(config)
            let backend = try await fleet.backend(config, logger: logger)
            let reloader = try fleet.reloader(config, path: path, logger: logger) { [concurrency] in
                try SyncSetup(config: $0, concurrency: concurrency, logger: logger)
            }
            let stop = StopFlag()
            let signals = stopOnSignals(stop) + [reloadOnHangup(reloader)]
            defer { signals.forEach { $0.cancel() } }
            try await backend.using { try await WorkerRole(backend: $0, config: reloader, logger: logger).run(stop: stop) }
        }
    }
}

struct ReporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reporter",
        abstract: "Report failures, halt the fleet at sync.maxerrors, and export the fleet's metrics.")

    @OptionGroup var fleet: FleetOptions

    func run() async throws {
        ignoreHangups()
        try await runRole {
            let (config, path) = try fleet.loadFile(configRequired: false)
            let logger = try makeLogger(config)
            let backend = try await fleet.backend(config, logger: logger)
            let reloader = try fleet.reloader(config, path: path, logger: logger) { try SyncSetup(config: $0, logger: logger) }
            let stop = StopFlag()
            let signals = stopOnSignals(stop) + [reloadOnHangup(reloader)]
            defer { signals.forEach { $0.cancel() } }
            let metrics = FleetMetrics()
            let reporter = Reporter(backend: backend, config: reloader, metrics: metrics, logger: logger)
            try await backend.using { _ in
                try await MetricsExport(config.telemetry, metrics: metrics, logger: logger).whileRunning {
                    try await reporter.run(stop: stop)
                }
            }
        }
    }
}
