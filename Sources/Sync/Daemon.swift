import Config
import Foundation
import Logging

/// The original's default mode: sync every image every `sync.interval` until stopped, and exit
/// once a cycle's failures reach `sync.maxerrors` (0 = never).
public struct Daemon: Sendable {
    public enum Exit: Sendable, Equatable { case stopped, tooManyErrors(Int) }

    let engine: SyncEngine
    let images: [ImageSpec]
    let interval: Duration
    let maxErrors: Int
    let logger: Logger

    public init(engine: SyncEngine, images: [ImageSpec], interval: Duration, maxErrors: Int, logger: Logger) {
        self.engine = engine; self.images = images; self.interval = interval; self.maxErrors = maxErrors; self.logger = logger
    }

    public func run(stop: StopFlag) async throws -> Exit {
        while !stop.isSet {
            logger.info("sync cycle started", metadata: ["images": "\(images.count)"])
            let report = try await engine.runCycle(images, stop: stop)
            logger.info("sync cycle finished: \(report.summary)")
            if maxErrors > 0 && report.failures.count >= maxErrors {
                logger.critical("\(report.failures.count) failures reached sync.maxerrors (\(maxErrors)); stopping")
                return .tooManyErrors(report.failures.count)
            }
            guard !stop.isSet else { break }
            let (seconds, attoseconds) = interval.components
            logger.info("next sync in \(GoDuration(nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000))")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: interval) }
                group.addTask { await stop.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        return .stopped
    }
}
