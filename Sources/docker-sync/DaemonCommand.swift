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
            let fleet = FleetOptions(config: self.config, redis: redis)
            let (read, path) = try loadConfigFile(self.config, required: true)
            let config = fleet.withRedisOverride(read)
            let logger = try makeLogger(config)
            let reloader = try fleet.reloader(config, path: path, logger: logger) { try SyncSetup(config: $0, logger: logger) }
            if !config.redis.isEmbedded { return try await runOnRedis(config, fleet: fleet, reloader: reloader, logger: logger) }
            let metrics = FleetMetrics()
            let setup = reloader.current.setup
            let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger,
                                    onOutcome: { metrics.record($0) })
            let stop = StopFlag()
            let signals = stopOnSignals(stop) + [reloadOnHangup(reloader)]
            defer { signals.forEach { $0.cancel() } }
            let daemon = Daemon(engine: engine, reloader: reloader, logger: logger)
            let exit = try await MetricsExport(config.telemetry, metrics: metrics, logger: logger).whileRunning {
                try await daemon.run(stop: stop)
            }
            if case .tooManyErrors = exit { throw ExitCode(1) }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw failure.exit()
        }
    }

    private func runOnRedis(_ config: Config, fleet: FleetOptions, reloader: ConfigReloader, logger: Logger) async throws {
        try await runRole {
            let backend = try await fleet.backend(config, logger: logger)
            let stop = StopFlag()
            let signals = stopOnSignals(stop) + [reloadOnHangup(reloader)]
            defer { signals.forEach { $0.cancel() } }
            let metrics = FleetMetrics()
            let node = FleetNode(
                scheduler: Scheduler(backend: backend, config: reloader, options: .init(leaseTTL: config.redis.leaseTTL.duration),
                                     logger: logger),
                worker: WorkerRole(backend: backend, config: reloader, logger: logger),
                reporter: Reporter(backend: backend, config: reloader, metrics: metrics, logger: logger))
            try await backend.using { _ in
                try await MetricsExport(config.telemetry, metrics: metrics, logger: logger).whileRunning {
                    try await node.run(stop: stop)
                }
            }
        }
    }
}
