import Foundation
import Logging

/// `daemon --once` (and `--once --dry-run`): one cycle of every `sync.images` entry, then a verdict,
/// for a Kubernetes CronJob or a CI step whose exit status must say whether the images are synced
/// (dry: whether every image could be planned). `sync.maxerrors` is not consulted: any failed tag or
/// purge fails the run.
public struct OnceRun: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Every tag synced, up to date, skipped (or planned, dry).
        case succeeded
        /// At least one tag or purge failed (dry: an image could not be planned).
        case failed
        /// SIGTERM / SIGINT stopped the cycle before it completed: jobs not taken, or aborted after the
        /// grace period, are not done (a signal after the last job changes nothing).
        case interrupted
    }

    let engine: SyncEngine
    let images: [ImageSpec]
    let logger: Logger

    /// `engine` runs on `setup` (its registries and options, `dryRun` included).
    public init(engine: SyncEngine, setup: SyncSetup, logger: Logger) {
        self.engine = engine; self.images = setup.images; self.logger = logger
    }

    public func run(stop: StopFlag) async throws -> (report: CycleReport, verdict: Verdict) {
        logger.info("sync cycle started (once)", metadata: ["images": "\(images.count)"])
        let report = try await engine.runCycle(images, stop: stop)
        logger.info("sync cycle finished: \(report.summary)")
        if !report.complete { return (report, .interrupted) }
        return (report, report.succeeded ? .succeeded : .failed)
    }
}
