import Foundation
import Sync
import TestSupport
import XCTest

/// `tags` and `ignoredTags` choose what reaches the target: literal, glob, `@semver`, `regex:`.
final class TagSelectionSyncTests: XCTestCase {
    private static let tags = ["latest", "1.0.0", "v1.2", "1.2.3-rc.1", "edge", "nightly-2024"]

    private struct Fixture {
        let source: RegistryServer
        let target: RegistryServer

        init() throws {
            source = try RegistryServer.start()
            target = try RegistryServer.start()
            // One tiny image per tag: distinct digests, so a tag copied under the wrong name shows.
            try ImageSeeder(source).push(TagSelectionSyncTests.tags.enumerated().map { index, tag in
                ImageSeeder.Image(repository: "lib/tags", tag: tag, kind: .oci(layers: [64]), seed: 200 + index)
            })
        }
    }

    private static let shared = SharedFixture { try Fixture() }

    private func fixture() throws -> Fixture { try Self.shared.get() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    func testEmptyTagsSyncsEveryTag() async throws {
        try await assertSelection(TagPolicy(), into: "all", syncs: Self.tags)
    }

    func testLiteralTags() async throws {
        try await assertSelection(TagPolicy(tags: ["edge", "1.0.0"]), into: "literal", syncs: ["1.0.0", "edge"])
    }

    func testGlob() async throws {
        try await assertSelection(TagPolicy(tags: ["1.*", "nightly-*"]), into: "glob", syncs: ["1.0.0", "1.2.3-rc.1", "nightly-2024"])
    }

    func testSemver() async throws {
        try await assertSelection(TagPolicy(tags: ["@semver"]), into: "semver", syncs: ["1.0.0", "1.2.3-rc.1", "v1.2"])
    }

    func testRegexMatchesWholeTags() async throws {
        try await assertSelection(TagPolicy(tags: ["regex:v?[0-9]+\\.[0-9]+(\\.[0-9]+)?"]), into: "regex", syncs: ["1.0.0", "v1.2"])
    }

    func testIgnoredTagsAreNeverSynced() async throws {
        try await assertSelection(TagPolicy(ignoredTags: ["*-rc*", "regex:nightly-.*", "latest"]), into: "ignored",
                                  syncs: ["1.0.0", "edge", "v1.2"])
    }

    /// Syncs the fixture's source with `policy` into a fresh target repository; the target holds
    /// exactly `expected`, each with its source digest.
    private func assertSelection(_ policy: TagPolicy, into repository: String, syncs expected: [String],
                                 file: StaticString = #filePath, line: UInt = #line) async throws {
        let fixture = try fixture()
        let source = "\(fixture.source.host)/lib/tags"
        let target = "\(fixture.target.host)/selection/\(repository)"
        let report = try await SyncHarness.sync(source, to: target, policy: policy)
        XCTAssertSucceeded(report, synced: expected.count, file: file, line: line)
        XCTAssertEqual(try Skopeo.listTags(target), expected.sorted(), file: file, line: line)
        for tag in expected {
            try assertSameDigest("\(source):\(tag)", "\(target):\(tag)", file: file, line: line)
        }
    }
}
