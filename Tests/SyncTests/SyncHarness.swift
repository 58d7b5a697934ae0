import Config
import Foundation
import Logging
import Queue
@testable import Sync
import TestSupport
import XCTest

/// Runs the embedded engine the way the `sync` command does — a `Config` built in code, mapped by
/// `SyncSetup` — and checks results with skopeo, a reader independent of docker-sync.
enum SyncHarness {
    /// Errors only: the tests assert on reports, not on log lines.
    static let logger: Logger = {
        var logger = Logger(label: "sync-tests")
        logger.logLevel = .error
        return logger
    }()

    /// A config whose job retries are quick, so a test that exercises them stays fast.
    static func config(registries: [RegistryConfig] = [], attempts: Int = 5) -> Config {
        var config = Config()
        config.sync.registries = registries
        config.sync.retry.attempts = attempts
        config.sync.retry.initialBackoff = GoDuration(nanoseconds: 20_000_000)
        config.sync.retry.maxBackoff = GoDuration(nanoseconds: 200_000_000)
        return config
    }

    /// One cycle over `images`, as `docker-sync sync` runs it.
    static func sync(_ images: [ImageSpec], config: Config = config(), dryRun: Bool = false) async throws -> CycleReport {
        let setup = try SyncSetup(config: config, images: images, dryRun: dryRun, logger: logger)
        let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger)
        return try await engine.runCycle(setup.images)
    }

    static func sync(_ source: String, to target: String, policy: TagPolicy = TagPolicy(),
                     config: Config = config()) async throws -> CycleReport {
        try await sync([ImageSpec(source: source, targets: [target], policy: policy)], config: config)
    }
}

/// Assertions shared by the sync tests.
func XCTAssertSucceeded(_ report: CycleReport, synced: Int? = nil, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(report.succeeded, "the cycle failed:\n\(report.summary)", file: file, line: line)
    if let synced {
        XCTAssertEqual(report.count(.synced), synced, "synced tags:\n\(report.summary)", file: file, line: line)
    }
}
