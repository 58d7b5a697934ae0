import Foundation
import TestSupport
import XCTest

/// Server errors from a registry: retried with backoff until they pass; when they persist, the job
/// ends as a dead letter an operator can list and, once the registry is healthy, requeue.
final class RetryAndDeadLetterTests: XCTestCase {
    func testInjectedServerErrorsAreRetriedWithBackoffAndTheSyncSucceeds() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        let pushed = try ImageSeeder(source).push(.docker(layers: [64 << 10]), repository: "retry/app", tag: "v1", seed: 4200)
        let layer = try XCTUnwrap(pushed.blobs.last)
        // More 500s than one job attempt's requests retry: the job itself goes through the delayed set.
        let proxy = try FaultProxy.start(upstream: source, faults: [
            .status(500, methods: ["GET"], path: "/blobs/\(layer)", times: 5, name: "flaky-layer"),
        ])
        let config = try fleet.config(syncSection(source: "\(proxy.host)/retry/app", target: "\(target.host)/retry/app", attempts: 4))
        let worker = try fleet.start("worker", ["worker"], config: config)

        let run = try await fleet.run(["enqueue", "-s", "\(proxy.host)/retry/app", "-t", "\(target.host)/retry/app", "--wait"],
                                      config: config)
        XCTAssertEqual(run.status, 0, run.output + worker.output)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.faultCount("flaky-layer"), 5)
        XCTAssertEqual(stats.count(method: "GET", pathContaining: "/blobs/\(layer)"), 6, "five 500s, then the layer")
        XCTAssertTrue(worker.output.contains("retrying in"), "the blob job was retried with a backoff: \(worker.output)")
        let retries = try await fleet.send("HGET", fleet.key("stats"), "retries").int ?? 0
        XCTAssertGreaterThanOrEqual(retries, 1, "the retry went through the queue's delayed set")
        try assertSameDigest("\(source.host)/retry/app:v1", "\(target.host)/retry/app:v1")
    }

    func testPersistentServerErrorsAreDeadLetteredAndJobsRetryRequeuesThem() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        let pushed = try ImageSeeder(source).push(.docker(layers: [32 << 10]), repository: "dead/app", tag: "v1", seed: 4201)
        let layer = try XCTUnwrap(pushed.blobs.last)
        let proxy = try FaultProxy.start(upstream: source, faults: [
            .status(500, methods: ["GET"], path: "/blobs/\(layer)", name: "broken-layer"),
        ])
        let config = try fleet.config(syncSection(source: "\(proxy.host)/dead/app", target: "\(target.host)/dead/app", attempts: 2))
        let worker = try fleet.start("worker", ["worker"], config: config)

        let failed = try await fleet.run(["enqueue", "-s", "\(proxy.host)/dead/app", "-t", "\(target.host)/dead/app", "--wait"],
                                         config: config)
        XCTAssertEqual(failed.status, 1, failed.output + worker.output)
        XCTAssertTrue(failed.stdout.contains("FAILED \(proxy.host)/dead/app:v1"), failed.stdout)

        let dead = try await fleet.run(["jobs", "dead"], config: config, timeout: 30)
        XCTAssertEqual(dead.status, 0, dead.output)
        let blobLetter = String(dead.stdout.split(separator: "\n").first { $0.contains("Z  blob ") } ?? "")
        XCTAssertTrue(blobLetter.contains("attempts 2"), "the blob job spent its attempts: \(dead.stdout)")
        XCTAssertTrue(blobLetter.contains("retryable 500"), "the error class and status are listed: \(dead.stdout)")
        XCTAssertTrue(blobLetter.contains(layer), "the message names the request: \(dead.stdout)")
        let letters = dead.stdout.split(separator: "\n").count
        let status = try await fleet.status(config: config)
        XCTAssertTrue(status.contains("dead:      \(letters) "), "status counts the dead letters: \(status)")
        XCTAssertThrowsError(try Skopeo.inspectDigest("\(target.host)/dead/app:v1"), "no tag pushed without its layer")

        try proxy.setFaults([])
        let retry = try await fleet.run(["jobs", "retry", "--all"], config: config, timeout: 30)
        XCTAssertEqual(retry.status, 0, retry.output)
        XCTAssertTrue(retry.stdout.contains("requeued \(letters) job"), retry.stdout)

        let expected = try Skopeo.inspectDigest("\(source.host)/dead/app:v1")
        do {
            try await eventually("the requeued jobs completed the tag on the target", timeout: 30, interval: .milliseconds(250)) {
                (try? Skopeo.inspectDigest("\(target.host)/dead/app:v1")) == expected
            }
        } catch {
            XCTFail("the worker logged:\n\(worker.output.suffix(4000))")
            throw error
        }
        let after = try await fleet.run(["jobs", "dead"], config: config, timeout: 30)
        XCTAssertEqual(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "no dead letters", after.output)
        let blobGets = try proxy.stats().count(method: "GET", pathContaining: "/blobs/\(layer)")
        XCTAssertGreaterThan(blobGets, try proxy.stats().faultCount("broken-layer"), "the layer was fetched after the fault was lifted")
    }
}
