import Foundation
import Sync
import TestSupport
import XCTest

/// A blob already in another repository of the target registry is mounted
/// (`POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=OTHER`), not copied again.
final class CrossRepoMountTests: XCTestCase {
    private var source: RegistryServer!
    private var target: RegistryServer!
    private var proxy: FaultProxy!

    override func setUpWithError() throws {
        source = try RegistryServer.start()
        target = try RegistryServer.start()
        proxy = try FaultProxy.start(upstream: target)
    }

    override func tearDown() {
        proxy = nil
        target = nil
        source = nil
        super.tearDown()
    }

    func testImagesSharingABaseLayerUploadItOnceAndMountItIntoTheOtherRepository() async throws {
        let pushed = try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "apps/one", tag: "v1", kind: .docker(layers: [2048]), seed: 400, baseLayer: 300_000),
            ImageSeeder.Image(repository: "apps/two", tag: "v1", kind: .oci(layers: [2048]), seed: 401, baseLayer: 300_000),
        ])
        let shared = Set(pushed[0].blobs).intersection(pushed[1].blobs)
        XCTAssertEqual(shared.count, 1, "the seeded images share their base layer")
        let base = try XCTUnwrap(shared.first)

        let report = try await SyncHarness.sync([
            ImageSpec(source: "\(source.host)/apps/one", targets: ["\(proxy.host)/mirror/one"]),
            ImageSpec(source: "\(source.host)/apps/two", targets: ["\(proxy.host)/mirror/two"]),
        ])
        XCTAssertSucceeded(report, synced: 2)

        let stats = try proxy.stats()
        XCTAssertGreaterThanOrEqual(stats.count("POST", .uploadMount), 1, "\(stats.counts)")
        XCTAssertEqual(uploads(of: base, in: stats), 1, "the shared layer is uploaded once: \(stats.requests.map(\.path))")
        XCTAssertEqual(report.transfers.blobsMounted, 1)
        for repository in ["one", "two"] {
            try assertSameDigest("\(source.host)/apps/\(repository):v1", "\(target.host)/mirror/\(repository):v1")
            let head = try Skopeo.inspectRaw("\(target.host)/mirror/\(repository):v1")
            XCTAssertTrue(String(decoding: head, as: UTF8.self).contains(base))
        }
    }

    func testSourceAndTargetOnOneRegistryMountEveryBlob() async throws {
        let pushed = try ImageSeeder(target).push(.ociIndex(layers: [4096]), repository: "team/app", tag: "2.0", seed: 402)

        let report = try await SyncHarness.sync("\(proxy.host)/team/app:2.0", to: "\(proxy.host)/mirror/app")
        XCTAssertSucceeded(report, synced: 1)

        let stats = try proxy.stats()
        XCTAssertEqual(stats.count("POST", .uploadMount), pushed.blobs.count, "\(stats.counts)")
        XCTAssertEqual(stats.count("GET", .blob), 0, "nothing streamed: \(stats.counts)")
        XCTAssertEqual(stats.count("PUT", .uploadComplete), 0, "nothing uploaded: \(stats.counts)")
        XCTAssertEqual(report.transfers.blobsMounted, pushed.blobs.count)
        try assertSameDigest("\(target.host)/team/app:2.0", "\(target.host)/mirror/app:2.0")
    }

    /// Completed uploads (`PUT …/blobs/uploads/…?digest=DIGEST`) of `digest`, its colon encoded or not.
    private func uploads(of digest: String, in stats: FaultProxyStats) -> Int {
        let hex = String(digest.split(separator: ":").last ?? "")
        return stats.requests.filter { $0.method == "PUT" && $0.path.contains("/blobs/uploads/") && $0.path.contains(hex) }.count
    }
}
