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

    @Flag(help: "Sync every image once and exit: 0 when everything synced, 1 when a tag or purge failed (sync.maxerrors aside), 2 on bad input. Refused on a fleet's Redis (use scheduler --once), except with --dry-run.")
    var once = false

    @Flag(help: "With --once: print the tags each image would sync and purge; copy and delete nothing. Runs in this process, without the fleet.")
    var dryRun = false

    func run() async throws {
        ignoreHangups()
        do {
            let fleet = FleetOptions(config: self.config, redis: redis)
            if dryRun && !once {
                throw CommandFailure("--dry-run needs --once: a dry-run daemon would plan the same copies every interval, forever")
            }
            let (read, path) = try loadConfigFile(self.config, required: true)
            let config = fleet.withRedisOverride(read)
            if once { return try await runOnce(config) }
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

    /// One cycle in this process (see `OnceRun`); the summary goes to stdout, as `sync` prints it.
    private func runOnce(_ config: Config) async throws {
        guard config.redis.isEmbedded || dryRun else {
            throw CommandFailure("--once does not run on a fleet's Redis (\(RedisFleet.redacted(config.redis.url))): "
                + "use `docker-sync scheduler --once`, which enqueues one cycle for the fleet's workers and exits 1 if a tag failed; "
                + "or unset redis.url / --redis / DOCKER_SYNC_REDIS_URL to sync in this process")
        }
        let logger = try makeLogger(config)
        let setup: SyncSetup
        do {
            setup = try SyncSetup(config: config, dryRun: dryRun, logger: logger)
        } catch let error as CredentialHelperError {
            throw CommandFailure("\(error)")
        }
        let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger)
        let stop = StopFlag()
        let signals = stopOnSignals(stop) + [logHangups(logger)]
        defer { signals.forEach { $0.cancel() } }
        let (report, verdict) = try await OnceRun(engine: engine, setup: setup, logger: logger).run(stop: stop)
        print(report.summary)
        if dryRun { report.plannedLines.forEach { print($0) } }
        switch verdict {
        case .succeeded: return
        case .failed: throw ExitCode(1)
        case .interrupted: throw CommandFailure("interrupted by a signal before every image was synced", status: 1)
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
