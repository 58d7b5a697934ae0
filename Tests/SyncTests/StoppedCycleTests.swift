import Foundation
import Queue
@testable import Sync
import TestSupport
import XCTest

/// A cycle stopped by SIGTERM / SIGINT returns (it does not wait for jobs nobody will take) and says
/// it is incomplete, so `daemon --once` can exit non-zero; one that ran to its end says it is complete.
final class StoppedCycleTests: XCTestCase {
    func testACycleStoppedBeforeAnyJobIsTakenReturnsIncompleteWithNoOutcome() async throws {
        let setup = try SyncSetup(config: SyncHarness.config(), images: [ImageSpec(source: "127.0.0.1:1/stopped/app",
                                                                                    targets: ["127.0.0.1:1/stopped/copy"])],
                                  logger: SyncHarness.logger)
        let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: SyncHarness.logger)
        let stop = StopFlag()
        stop.set()

        let report = try await engine.runCycle(setup.images, stop: stop)
        XCTAssertFalse(report.complete, report.summary)
        XCTAssertEqual(report.outcomes.count, 0, report.summary)
    }

    func testACycleStoppedAfterItsFirstTagFinishesThatTagAndReturnsIncomplete() async throws {
        let source = try RegistryServer.start()
        defer { source.stop() }
        let target = try RegistryServer.start()
        defer { target.stop() }
        try ImageSeeder(source).push((0..<6).map {
            ImageSeeder.Image(repository: "stopped/app", tag: "t\($0)", kind: .docker(layers: [128]), seed: 1400 + $0)
        })
        let setup = try SyncSetup(config: SyncHarness.config(), logger: SyncHarness.logger)
        var options = setup.options
        options.concurrency = 1
        let stop = StopFlag()
        let engine = SyncEngine(registries: setup.registries, options: options, logger: SyncHarness.logger,
                                onOutcome: { if $0.status == .synced { stop.set() } })

        let report = try await engine.runCycle([ImageSpec(source: "\(source.host)/stopped/app", targets: ["\(target.host)/stopped/app"])],
                                               stop: stop)
        XCTAssertFalse(report.complete, report.summary)
        XCTAssertGreaterThanOrEqual(report.count(.synced), 1, report.summary)
        XCTAssertLessThan(report.count(.synced), 6, report.summary)
        XCTAssertEqual(report.failures.count, 0, report.summary)
    }

    func testACycleThatRanToItsEndIsComplete() async throws {
        let source = try RegistryServer.start()
        defer { source.stop() }
        let target = try RegistryServer.start()
        defer { target.stop() }
        try ImageSeeder(source).push(.docker(layers: [128]), repository: "whole/app", tag: "v1", seed: 1410)

        let report = try await SyncHarness.sync("\(source.host)/whole/app", to: "\(target.host)/whole/app")
        XCTAssertSucceeded(report, synced: 1)
        XCTAssertTrue(report.complete, report.summary)
    }
}
