import Foundation
import Sync
@testable import TestSupport
import XCTest

/// Every kind of manifest docker-sync supports arrives on the target byte for byte: same digest,
/// children before their index, every blob present.
final class ManifestKindSyncTests: XCTestCase {
    /// One source seeded with one tag per kind and one target, shared by the tests of this class:
    /// each test syncs its own tag.
    private struct Fixture {
        let source: RegistryServer
        let target: RegistryServer
        let pushed: [String: ImageSeeder.Pushed]

        init() throws {
            source = try RegistryServer.start()
            target = try RegistryServer.start()
            let kinds: [(String, ImageSeeder.Kind)] = [
                ("docker", .docker(layers: [1500, 700])),
                ("oci", .oci(layers: [1200])),
                ("list", .dockerManifestList(layers: [900])),
                ("index", .ociIndex(layers: [800])),
                ("nested", .nestedIndex(layers: [600])),
                ("artifact", .artifact(layers: [500])),
                ("pretty", .prettyPrinted(layers: [400])),
            ]
            let images = kinds.enumerated().map { index, kind in
                ImageSeeder.Image(repository: "kinds", tag: kind.0, kind: kind.1, seed: 100 + index)
            }
            let results = try ImageSeeder(source).push(images)
            pushed = Dictionary(uniqueKeysWithValues: results.map { ($0.tag, $0) })
        }
    }

    private static let shared = SharedFixture { try Fixture() }

    private func fixture() throws -> Fixture { try Self.shared.get() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    func testDockerV2ImageKeepsItsDigest() async throws {
        try await assertSyncs("docker", mediaType: "application/vnd.docker.distribution.manifest.v2+json")
    }

    func testOCIImageKeepsItsDigest() async throws {
        try await assertSyncs("oci", mediaType: "application/vnd.oci.image.manifest.v1+json")
    }

    func testDockerManifestListIsCopiedWithEveryPlatform() async throws {
        let pushed = try await assertSyncs("list", mediaType: "application/vnd.docker.distribution.manifest.list.v2+json")
        XCTAssertEqual(pushed.manifests.count, 2)
    }

    func testOCIIndexIsCopiedWithEveryPlatform() async throws {
        let pushed = try await assertSyncs("index", mediaType: "application/vnd.oci.image.index.v1+json")
        XCTAssertEqual(pushed.manifests.count, 2)
    }

    /// skopeo 1.9 cannot copy this one; docker-sync must.
    func testNestedIndexIsCopiedWithItsInnerIndex() async throws {
        let pushed = try await assertSyncs("nested", mediaType: "application/vnd.oci.image.index.v1+json")
        XCTAssertTrue(pushed.manifests.contains { $0.mediaType == "application/vnd.oci.image.index.v1+json" },
                      "the seeded tree has an inner index")
    }

    func testArtifactWithACustomConfigMediaTypeIsCopied() async throws {
        try await assertSyncs("artifact", mediaType: "application/vnd.oci.image.manifest.v1+json")
        let raw = try Skopeo.inspectRaw("\(try fixture().target.host)/kinds:artifact")
        XCTAssertTrue(String(decoding: raw, as: UTF8.self).contains("application/vnd.example.config.v1+json"))
    }

    func testPrettyPrintedManifestIsPushedByteForByte() async throws {
        let fixture = try fixture()
        try await assertSyncs("pretty", mediaType: "application/vnd.oci.image.manifest.v1+json")
        let sourceBytes = try Skopeo.inspectRaw("\(fixture.source.host)/kinds:pretty")
        XCTAssertTrue(String(decoding: sourceBytes, as: UTF8.self).contains("\n   "), "the seeded manifest is indented")
        XCTAssertEqual(try Skopeo.inspectRaw("\(fixture.target.host)/kinds:pretty"), sourceBytes)
    }

    /// Syncs `source/kinds:TAG` to `target/kinds` and checks what a user would: the tag's digest,
    /// every child manifest by digest, and every blob.
    @discardableResult
    private func assertSyncs(_ tag: String, mediaType: String, file: StaticString = #filePath,
                             line: UInt = #line) async throws -> ImageSeeder.Pushed {
        let fixture = try fixture()
        let pushed = try XCTUnwrap(fixture.pushed[tag])
        XCTAssertEqual(pushed.mediaType, mediaType, "the seeded kind", file: file, line: line)

        let report = try await SyncHarness.sync("\(fixture.source.host)/kinds:\(tag)", to: "\(fixture.target.host)/kinds")
        XCTAssertSucceeded(report, synced: 1, file: file, line: line)

        try assertSameDigest("\(fixture.source.host)/kinds:\(tag)", "\(fixture.target.host)/kinds:\(tag)", file: file, line: line)
        XCTAssertEqual(try Skopeo.inspectDigest("\(fixture.target.host)/kinds:\(tag)"), pushed.digest, file: file, line: line)
        for child in pushed.manifests {
            XCTAssertEqual(try Skopeo.inspectDigest("\(fixture.target.host)/kinds@\(child.digest)"), child.digest,
                           "child manifest", file: file, line: line)
        }
        for blob in pushed.blobs {
            let head = try LoopbackHTTP.request("HEAD", port: fixture.target.port, path: "/v2/kinds/blobs/\(blob)")
            XCTAssertEqual(head.status, 200, "blob \(blob) on the target", file: file, line: line)
        }
        XCTAssertEqual(report.transfers.blobsCopied, pushed.blobs.count, "each blob copied once", file: file, line: line)
        return pushed
    }
}
