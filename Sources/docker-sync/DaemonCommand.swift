import ArgumentParser
import Logging
import Config
import Foundation
import Fleet
import Sync
import Telemetry

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Sync every image of the config every sync.interval (the default command).")

    @Option(help: "The config file (default: ./config.yaml, then ~/.docker-sync/config.yaml).")
    var config: String?

    @Option(help: "Run as a node of a fleet on this Redis (default: env DOCKER_SYNC_REDIS_URL, then redis.url; none: embedded queue).")
    var redis: String?

    func run() async throws {
        do {
            var config = try loadConfig(self.config, required: true)
            if let url = redis ?? ProcessInfo.processInfo.environment["DOCKER_SYNC_REDIS_URL"], !url.isEmpty { config.redis.url = url }
            let logger = try makeLogger(config)
            let setup = try SyncSetup(config: config, logger: logger)
            if !config.redis.isEmbedded { return try await runOnRedis(config, setup: setup, logger: logger) }
            let metrics = FleetMetrics()
            let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger,
                                    onOutcome: { metrics.record($0) })
            let stop = StopFlag()
            let signals = stopOnSignals(stop)
            defer { signals.forEach { $0.cancel() } }
            let daemon = Daemon(engine: engine, images: setup.images, interval: config.sync.interval.duration,
                                maxErrors: config.sync.maxErrors, logger: logger)
            let exit = try await MetricsExport(config.telemetry, metrics: metrics, logger: logger).whileRunning {
                try await daemon.run(stop: stop)
            }
            if case .tooManyErrors = exit { throw ExitCode(1) }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw failure.exit()
        }
    }

    private func runOnRedis(_ config: Config, setup: SyncSetup, logger: Logger) async throws {
        try await runRole {
            let backend = try await FleetOptions(config: self.config, redis: config.redis.url).backend(config, logger: logger)
            let stop = StopFlag()
            let signals = stopOnSignals(stop)
            defer { signals.forEach { $0.cancel() } }
            var workerOptions = WorkerRole.Options(slots: setup.options.concurrency, backoff: setup.options.backoff)
            workerOptions.perRegistry = setup.options.perRegistry
            let metrics = FleetMetrics()
            let node = FleetNode(
                scheduler: Scheduler(backend: backend, images: setup.images,
                                     options: .init(interval: config.sync.interval.duration, leaseTTL: config.redis.leaseTTL.duration),
                                     logger: logger),
                worker: WorkerRole(backend: backend, registries: setup.registries, options: workerOptions, logger: logger),
                reporter: Reporter(backend: backend, metrics: metrics, options: .init(maxErrors: config.sync.maxErrors), logger: logger))
            try await backend.using { _ in
                try await MetricsExport(config.telemetry, metrics: metrics, logger: logger).whileRunning {
                    try await node.run(stop: stop)
                }
            }
        }
    }
}
