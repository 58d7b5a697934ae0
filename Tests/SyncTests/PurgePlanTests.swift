import OCI
@testable import Sync
import XCTest

/// Which target tags a purge deletes and which it keeps, and when it deletes nothing at all.
final class PurgePlanTests: XCTestCase {
    let source = try! ImageReference("registry.example/app")
    let target = try! TargetName("mirror.example/app")

    private func plan(_ policy: TagPolicy, source sourceTags: [String], target targetTags: [String]) throws -> PurgePlan? {
        guard case let .purge(plan) = try PurgeDecision.decide(policy: policy, source: source, sourceTags: .success(sourceTags),
                                                                target: target, targetTags: targetTags) else { return nil }
        return plan
    }

    func testEveryTargetTagGoneFromTheSourceIsDeletedWhenAllTagsSync() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(), source: ["1.0", "2.0"], target: ["1.0", "2.0", "0.9", "old"]))
        XCTAssertEqual(plan.deletions, ["0.9", "old"])
        XCTAssertEqual(plan.kept, ["1.0", "2.0"])
    }

    func testLiteralFilterKeepsItsTagsEvenWhenTheListingMissesThem() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(tags: ["1.0", "3.0"]), source: ["1.0", "2.0"], target: ["1.0", "2.0", "3.0"]))
        XCTAssertEqual(plan.deletions, ["2.0"], "2.0 is on the source but no longer selected")
        XCTAssertEqual(plan.kept, ["1.0", "3.0"], "a literal tag is kept: tag lists are eventually consistent")
    }

    func testGlobFilterDeletesWhatItNoLongerMatches() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(tags: ["1.*"]), source: ["1.0", "1.1", "2.0"], target: ["1.0", "1.1", "2.0"]))
        XCTAssertEqual(plan.deletions, ["2.0"])
    }

    func testSemverFilterKeepsVersionsStillOnTheSource() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(tags: ["@semver"]), source: ["v1.2", "1.3.0", "edge"],
                                          target: ["v1.2", "1.3.0", "1.1.0", "edge"]))
        XCTAssertEqual(plan.deletions, ["1.1.0", "edge"])
        XCTAssertEqual(plan.kept, ["1.3.0", "v1.2"])
    }

    func testRegexFilterMustMatchTheWholeTag() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(tags: ["regex:[0-9]+"]), source: ["1", "12", "1a"], target: ["1", "12", "1a", "7"]))
        XCTAssertEqual(plan.deletions, ["1a", "7"])
    }

    func testIgnoredTagsAreNeverTouched() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(ignoredTags: ["*-rc*"]), source: ["1.0", "1.1-rc1"],
                                          target: ["1.0", "1.1-rc1", "1.0-rc2", "0.9"]))
        XCTAssertEqual(plan.deletions, ["0.9"])
        XCTAssertEqual(plan.kept, ["1.0", "1.0-rc2", "1.1-rc1"], "ignored: neither synced nor deleted, on the source or not")
    }

    func testMutableTagsAreKeptEvenWhenGoneFromTheSource() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(tags: ["1.*"], mutableTags: ["latest", "stable-*"]), source: ["1.0"],
                                          target: ["1.0", "latest", "stable-1", "2.0"]))
        XCTAssertEqual(plan.deletions, ["2.0"])
        XCTAssertEqual(plan.kept, ["1.0", "latest", "stable-1"])
    }

    func testNothingToDeleteGivesAnEmptyPlan() throws {
        let plan = try XCTUnwrap(try plan(TagPolicy(), source: ["1.0", "2.0"], target: ["1.0"]))
        XCTAssertEqual(plan.deletions, [])
    }

    func testZeroSourceTagsPurgesNothing() throws {
        XCTAssertEqual(try PurgeDecision.decide(policy: TagPolicy(), source: source, sourceTags: .success([]), target: target,
                                                targetTags: ["1.0"]), .refused(.noSourceTags))
    }

    func testAFilterSelectingNoSourceTagPurgesNothing() throws {
        XCTAssertEqual(try PurgeDecision.decide(policy: TagPolicy(tags: ["9.*"]), source: source, sourceTags: .success(["1.0", "2.0"]),
                                                target: target, targetTags: ["1.0"]), .refused(.nothingSelected(sourceTags: 2)))
    }

    func testAFailedSourceListingPurgesNothing() throws {
        let decision = try PurgeDecision.decide(policy: TagPolicy(), source: source, sourceTags: .failure(SyncError("503")),
                                                target: target, targetTags: ["1.0"])
        guard case .refused(.sourceNotListed) = decision else { return XCTFail("\(decision)") }
    }

    func testPinnedSourceIsNeverPurged() throws {
        for pinned in ["registry.example/app:1.0", "registry.example/app@sha256:" + String(repeating: "a", count: 64)] {
            let decision = try PurgeDecision.decide(policy: TagPolicy(), source: try ImageReference(pinned),
                                                    sourceTags: .success(["1.0"]), target: target, targetTags: ["1.0", "0.9"])
            guard case .refused(.pinnedSource) = decision else { return XCTFail("\(pinned): \(decision)") }
            XCTAssertNotNil(ImageSpec(source: pinned, targets: ["mirror.example/app"], purge: true).purgeRefusal)
        }
        XCTAssertNil(ImageSpec(source: "registry.example/app", targets: ["mirror.example/app", "r2:acct:bucket:app"]).purgeRefusal)
    }

    func testTargetRenamingOneTagIsNeverPurged() throws {
        let decision = try PurgeDecision.decide(policy: TagPolicy(), source: source, sourceTags: .success(["1.0"]),
                                                target: try TargetName("mirror.example/app:stable"), targetTags: ["stable", "old"])
        XCTAssertEqual(decision, .refused(.renamedTarget("mirror.example/app:stable")))
    }

    func testAnInvalidPatternIsAnError() {
        XCTAssertThrowsError(try PurgeDecision.decide(policy: TagPolicy(tags: ["regex:("]), source: source,
                                                      sourceTags: .success(["1.0"]), target: target, targetTags: []))
    }
}

/// What the kept tags of a target need, learnt once.
final class KeptManifestsTests: XCTestCase {
    func testTheFirstKeptTagNeedingADigestIsNamedAndEveryTagIsResolvedOnce() async throws {
        let (a, b, child) = (Digest.sha256(of: [1]), Digest.sha256(of: [2]), Digest.sha256(of: [3]))
        let trees = ["1.0": [a, child], "2.0": [b, child], "3.0": [b]]
        let calls = CallCount()
        let kept = KeptManifests(tags: ["1.0", "2.0", "3.0"])
        let resolve: @Sendable (String) async throws -> [Digest] = { tag in calls.add(); return trees[tag] ?? [] }
        let needingChild = try await kept.tag(needing: child, resolve: resolve)
        let needingB = try await kept.tag(needing: b, resolve: resolve)
        let needingNone = try await kept.tag(needing: Digest.sha256(of: [4]), resolve: resolve)
        XCTAssertEqual(needingChild, "1.0", "an index's child is needed by the index's tag")
        XCTAssertEqual(needingB, "2.0")
        XCTAssertNil(needingNone)
        XCTAssertEqual(calls.value, 3)
    }
}

private final class CallCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
