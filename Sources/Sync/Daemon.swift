import Config
import Foundation
import Logging

/// The original's default mode: sync every image every `sync.interval` until stopped, and exit
/// once a cycle's failures reach `sync.maxerrors` (0 = never). Before each cycle it re-reads the
/// config file, so the images, the interval, `maxerrors`, the registries and the engine's settings
/// of the next cycle are those of the config at that moment.
public struct Daemon: Sendable {
    public enum Exit: Sendable, Equatable { case stopped, tooManyErrors(Int) }

    let engine: SyncEngine
    let reloader: ConfigReloader
    let logger: Logger

    /// `engine` runs on the reloader's current setup.
    public init(engine: SyncEngine, reloader: ConfigReloader, logger: Logger) {
        self.engine = engine; self.reloader = reloader; self.logger = logger
    }

    public func run(stop: StopFlag) async throws -> Exit {
        var engine = engine
        var generation = reloader.current.generation
        while !stop.isSet {
            reloader.check()
            let live = reloader.current
            if live.generation != generation {
                engine = engine.reconfigured(live.setup)
                generation = live.generation
            }
            logger.info("sync cycle started", metadata: ["images": "\(live.setup.images.count)"])
            let report = try await engine.runCycle(live.setup.images, stop: stop)
            logger.info("sync cycle finished: \(report.summary)")
            let maxErrors = live.config.sync.maxErrors
            if maxErrors > 0 && report.failures.count >= maxErrors {
                logger.critical("\(report.failures.count) failures reached sync.maxerrors (\(maxErrors)); stopping")
                return .tooManyErrors(report.failures.count)
            }
            guard !stop.isSet else { break }
            // The interval in force when the cycle ended: a reload meanwhile applies from the next cycle on.
            let interval = reloader.current.config.sync.interval
            logger.info("next sync in \(interval)")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: interval.duration) }
                group.addTask { await stop.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        return .stopped
    }
}
