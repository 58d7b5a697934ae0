import Foundation
import TestSupport
import XCTest

/// redis-server restarted (append-only file on) while the fleet works: every role reconnects and
/// carries on, and nothing is lost.
final class RedisRestartTests: XCTestCase {
    func testARestartOfRedisInTheMiddleOfASyncDoesNotStopItFromCompleting() async throws {
        let fleet = try Fleet(appendOnly: true)
        let image = try BigImage(repository: "restart/big", seed: 4500)
        let config = try fleet.config("")
        let worker = try fleet.start("worker", ["worker"], config: config)
        let reporter = try fleet.start("reporter", ["reporter"], config: config)
        let enqueue = try fleet.start("enqueue", image.enqueueArguments, config: config)

        try await image.waitForUploadInProgress()
        let leased = try await fleet.leasedKinds()
        XCTAssertTrue(leased.contains("blob"), "a blob job is in flight: \(leased)")
        // Down while the layer lands on the target: the worker acknowledges it to a Redis that is
        // not there, and must do so once it is back.
        fleet.redis.stop()
        try await eventually("the layer is stored on the target", timeout: 30, interval: .milliseconds(20)) {
            image.targetHoldsLayer
        }
        try fleet.redis.start()
        XCTAssertFalse(image.tagIsOnTarget, "the outage came before the tag was pushed")

        let waited = try await enqueue.exit(timeout: 90)
        XCTAssertEqual(waited.status, 0, waited.output + worker.output)
        XCTAssertTrue(waited.stdout.contains("1 synced"), waited.stdout)
        try image.assertSynced()
        XCTAssertTrue(worker.isRunning, worker.output)
        XCTAssertTrue(reporter.isRunning, reporter.output)
        // The reporter reads the outcome stream again after the restart: it reports a later failure.
        let missing = try await fleet.run(["enqueue", "-s", "\(image.source.host)/restart/missing",
                                           "-t", "\(image.target.host)/restart/missing", "--wait"], config: config)
        XCTAssertEqual(missing.status, 1, missing.output)
        try await reporter.waitForOutput("restart/missing", timeout: 30)
        let status = try await fleet.status(config: config)
        XCTAssertTrue(status.contains("workers:   1 alive"), status)
        XCTAssertTrue(status.contains("in flight: 0"), status)
    }
}
