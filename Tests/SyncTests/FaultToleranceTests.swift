import Foundation
import Sync
import TestSupport
import XCTest

/// Transient registry failures are retried until the sync succeeds; a persistent one fails its tag
/// (and only its tag) with the registry, the request and the status in the message.
final class FaultToleranceTests: XCTestCase {
    private var source: RegistryServer!
    private var target: RegistryServer!
    private var proxy: FaultProxy!

    override func setUpWithError() throws {
        source = try RegistryServer.start()
        target = try RegistryServer.start()
        proxy = try FaultProxy.start(upstream: source)
    }

    override func tearDown() {
        proxy = nil
        target = nil
        source = nil
        super.tearDown()
    }

    func testUnavailableBlobsAndRateLimitedManifestsAreRetried() async throws {
        try ImageSeeder(source).push(.ociIndex(layers: [50_000]), repository: "flaky/app", tag: "v1", seed: 500)
        try proxy.setFaults([
            .status(503, methods: ["GET"], path: "/blobs/sha256:", times: 2, name: "blob-unavailable"),
            .tooManyRequests(retryAfter: 1, methods: ["GET"], path: "/manifests/", times: 1, name: "manifest-rate-limited"),
        ])

        let report = try await SyncHarness.sync("\(proxy.host)/flaky/app", to: "\(target.host)/flaky/app")
        XCTAssertSucceeded(report, synced: 1)

        let stats = try proxy.stats()
        XCTAssertEqual(stats.faultCount("blob-unavailable"), 2)
        XCTAssertEqual(stats.faultCount("manifest-rate-limited"), 1)
        XCTAssertEqual(stats.requests.filter { $0.fault == "blob-unavailable" }.map(\.status), [503, 503])
        try assertSameDigest("\(source.host)/flaky/app:v1", "\(target.host)/flaky/app:v1")
    }

    func testPersistentServerErrorFailsOnlyThatTagAndSaysWhere() async throws {
        let pushed = try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "flaky/mixed", tag: "broken", kind: .docker(layers: [1000]), seed: 501),
            ImageSeeder.Image(repository: "flaky/mixed", tag: "fine", kind: .docker(layers: [1000]), seed: 502),
        ])
        let layer = try XCTUnwrap(pushed[0].blobs.last)
        try proxy.setFaults([.status(500, methods: ["GET"], path: "/blobs/\(layer)", name: "broken-layer")])

        let report = try await SyncHarness.sync("\(proxy.host)/flaky/mixed", to: "\(target.host)/flaky/mixed",
                                                config: SyncHarness.config(attempts: 2))
        XCTAssertFalse(report.succeeded)
        XCTAssertEqual(report.count(.synced), 1)
        XCTAssertEqual(report.failures.map(\.tag), ["broken"])
        let message = try XCTUnwrap(report.failures.first?.failure?.message)
        XCTAssertTrue(message.contains("registry \(proxy.host)"), message)
        XCTAssertTrue(message.contains("GET /v2/flaky/mixed/blobs/\(layer)"), message)
        XCTAssertTrue(message.contains("500"), message)
        XCTAssertTrue(report.summary.contains("FAILED"), report.summary)
        XCTAssertGreaterThan(try proxy.stats().faultCount("broken-layer"), 1, "the failure was retried")

        try assertSameDigest("\(source.host)/flaky/mixed:fine", "\(target.host)/flaky/mixed:fine")
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/flaky/mixed"), ["fine"], "a tag whose blob failed is never pushed")
    }

    func testARefusedMonolithicUploadIsResentInChunksWithTheBlobReadAgain() async throws {
        try ImageSeeder(source).push(.docker(layers: [300_000]), repository: "chunky/app", tag: "v1", seed: 503)
        let targetProxy = try FaultProxy.start(upstream: target)
        defer { targetProxy.stop() }
        try targetProxy.setFaults([.status(413, methods: ["PUT"], path: "/blobs/uploads/.*digest=", times: 1, name: "too-large")])

        let report = try await SyncHarness.sync("\(source.host)/chunky/app", to: "\(targetProxy.host)/chunky/app")
        XCTAssertSucceeded(report, synced: 1)
        let stats = try targetProxy.stats()
        XCTAssertEqual(stats.faultCount("too-large"), 1)
        XCTAssertGreaterThanOrEqual(stats.count("PATCH", .uploadChunk), 1, "the refused blob went up in chunks")
        try assertSameDigest("\(source.host)/chunky/app:v1", "\(target.host)/chunky/app:v1")
    }
}
