#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// Workers that die or are told to stop while they hold a job: the job is not lost.
final class WorkerFailureTests: XCTestCase {
    func testAWorkerKilledInTheMiddleOfABigBlobLosesItsLeaseAndAnotherWorkerCompletesTheSync() async throws {
        let fleet = try Fleet()
        let image = try BigImage(repository: "kill/big", seed: 4400)
        let config = try fleet.config("")
        let doomed = try fleet.start("worker-killed", ["worker"], config: config)
        let enqueue = try fleet.start("enqueue", image.enqueueArguments, config: config)

        try await image.waitForUploadInProgress()
        doomed.kill9()
        XCTAssertLessThan(image.uploadedBytes(), BigImage.layerSize, "killed before the layer was complete")
        let leased = try await fleet.leasedKinds()
        XCTAssertTrue(leased.contains("blob"), "the killed worker still holds the blob job's lease: \(leased)")
        XCTAssertFalse(image.tagIsOnTarget, "no tag without its layer")

        let rescuer = try fleet.start("worker-rescuer", ["worker"], config: config)
        let waited = try await exit(enqueue, timeout: 60, helper: rescuer)
        XCTAssertEqual(waited.status, 0, waited.output + rescuer.output)
        try image.assertSynced()
        XCTAssertEqual(try image.layerDownloads(), 2, "the layer was streamed again after the kill, once")
    }

    func testSIGTERMLetsAWorkerFinishTheBlobItHoldsAndExitZeroWithoutLeavingALease() async throws {
        let fleet = try Fleet()
        let image = try BigImage(repository: "term/big", seed: 4401)
        let config = try fleet.config("")
        let stopping = try fleet.start("worker-stopping", ["worker"], config: config)
        let enqueue = try fleet.start("enqueue", image.enqueueArguments, config: config)
        try await image.waitForUploadInProgress()
        let leased = try await fleet.leasedKinds()
        XCTAssertTrue(leased.contains("blob"), "the worker holds the layer's blob job: \(leased)")

        stopping.signal(SIGTERM)
        let signalled = Date()
        let stopped = try await stopping.exit(timeout: 60)
        XCTAssertEqual(stopped.status, 0, stopped.output)
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 30, "within the grace period")
        XCTAssertTrue(stopped.output.contains("worker stopped"), stopped.output)
        let left = try await fleet.leasedJobs()
        XCTAssertEqual(left, [], "every job it held is finished or back on the queue, none waits for a lease to lapse")

        let successor = try fleet.start("worker-successor", ["worker"], config: config)
        let waited = try await exit(enqueue, timeout: 60, helper: successor)
        XCTAssertEqual(waited.status, 0, waited.output + successor.output)
        try image.assertSynced()
        XCTAssertEqual(try image.layerDownloads(), 1, "the stopping worker finished the layer; nobody streamed it again")
    }

    /// The exit of `process`; on a timeout the failure shows what `helper` (the worker) logged.
    private func exit(_ process: FleetProcess, timeout: TimeInterval, helper: FleetProcess) async throws -> FleetProcess.Exit {
        do {
            return try await process.exit(timeout: timeout)
        } catch {
            XCTFail("\(helper.name) logged:\n\(helper.output.suffix(4000))")
            throw error
        }
    }
}
