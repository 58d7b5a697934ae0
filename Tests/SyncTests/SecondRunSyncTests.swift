import Foundation
import Sync
import TestSupport
import XCTest

/// A sync of what is already in sync spends no pull budget: mutable tags cost one manifest HEAD
/// each on the source, immutable tags already on the target none at all.
final class SecondRunSyncTests: XCTestCase {
    private struct Fixture {
        let source: RegistryServer
        let target: RegistryServer
        /// In front of the source: counts what docker-sync asks it.
        let proxy: FaultProxy

        init() throws {
            source = try RegistryServer.start()
            target = try RegistryServer.start()
            proxy = try FaultProxy.start(upstream: source)
        }
    }

    private static let shared = SharedFixture { try Fixture() }

    private func fixture() throws -> Fixture { try Self.shared.get() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    func testSecondRunOfMutableTagsOnlyHeadsSourceManifests() async throws {
        let fixture = try fixture()
        let (source, target) = try seed("mutable", fixture)
        let policy = TagPolicy(mutableTags: ["*"])
        XCTAssertSucceeded(try await SyncHarness.sync(source, to: target, policy: policy), synced: 2)

        try fixture.proxy.resetStats()
        let second = try await SyncHarness.sync(source, to: target, policy: policy)
        XCTAssertSucceeded(second, synced: 0)
        XCTAssertEqual(second.count(.upToDate), 2)

        let stats = try fixture.proxy.stats()
        XCTAssertEqual(stats.count("GET", .manifest), 0, "no manifest GET on the source: \(stats.counts)")
        XCTAssertEqual(stats.count("GET", .blob), 0, "no blob GET on the source: \(stats.counts)")
        XCTAssertEqual(stats.count("HEAD", .manifest), 2, "one HEAD per tag: \(stats.counts)")
        try assertSameDigest("\(source):index", "\(target):index")
        try assertSameDigest("\(source):plain", "\(target):plain")
    }

    func testSecondRunSkipsImmutableTagsWithoutAskingTheSourceForManifests() async throws {
        let fixture = try fixture()
        let (source, target) = try seed("immutable", fixture)
        XCTAssertSucceeded(try await SyncHarness.sync(source, to: target), synced: 2)

        try fixture.proxy.resetStats()
        let second = try await SyncHarness.sync(source, to: target)
        XCTAssertSucceeded(second, synced: 0)
        XCTAssertEqual(second.count(.skipped), 2)

        let stats = try fixture.proxy.stats()
        XCTAssertEqual(stats.count(pathContaining: "/manifests/"), 0, "no manifest request on the source: \(stats.counts)")
        XCTAssertEqual(stats.count(pathContaining: "/blobs/"), 0, "no blob request on the source: \(stats.counts)")
        XCTAssertEqual(stats.count("GET", .tags), 1, "the source is listed once: \(stats.counts)")
        try assertSameDigest("\(source):index", "\(target):index")
    }

    /// Two tags (an OCI index and a Docker image) in `REPO` of the source; returns the source
    /// through the proxy and a target repository of the same name.
    private func seed(_ repository: String, _ fixture: Fixture) throws -> (String, String) {
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: repository, tag: "index", kind: .ociIndex(layers: [128]), seed: 300),
            ImageSeeder.Image(repository: repository, tag: "plain", kind: .docker(layers: [128]), seed: 301),
        ])
        return ("\(fixture.proxy.host)/\(repository)", "\(fixture.target.host)/\(repository)")
    }
}
