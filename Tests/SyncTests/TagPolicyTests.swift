@testable import Sync
import XCTest

final class TagPolicyTests: XCTestCase {
    let available = ["latest", "1.0.0", "v1.2", "1.2.3-rc.1", "2", "edge", "3.20.1-alpine", "nightly-2024", "sha-abc"]

    func testEmptyTagsSelectsEverySourceTag() throws {
        XCTAssertEqual(try TagPolicy().select(from: available), available.sorted())
    }

    func testGlobsMatchLikeFilepathMatch() throws {
        let policy = TagPolicy(tags: ["3.*", "nightly-20[0-9][0-9]", "?"])
        XCTAssertEqual(try policy.select(from: available), ["2", "3.20.1-alpine", "nightly-2024"])
    }

    func testSemverMatchesTheOriginalsLenientGrammar() throws {
        let policy = TagPolicy(tags: ["@semver"])
        XCTAssertEqual(try policy.select(from: available), ["1.0.0", "1.2.3-rc.1", "2", "3.20.1-alpine", "v1.2"])
        XCTAssertFalse(SemanticVersion.isVersion("1.2.3.4"))
        XCTAssertFalse(SemanticVersion.isVersion("latest"))
    }

    func testRegexMustMatchTheWholeTag() throws {
        let policy = TagPolicy(tags: ["regex:[0-9]+\\.[0-9]+\\.[0-9]+"])
        XCTAssertEqual(try policy.select(from: available), ["1.0.0"])
    }

    func testIgnoredTagsWin() throws {
        let policy = TagPolicy(tags: ["@semver"], ignoredTags: ["*-rc*", "v*", "*-alpine"])
        XCTAssertEqual(try policy.select(from: available), ["1.0.0", "2"])
    }

    func testLiteralTagsNeedNoListingAndAreKeptWhenTheListingMissesThem() throws {
        let policy = TagPolicy(tags: ["latest", "missing"])
        XCTAssertTrue(policy.isLiteral)
        XCTAssertEqual(try policy.select(from: nil), ["latest", "missing"])
        XCTAssertEqual(try policy.select(from: ["latest"]), ["latest", "missing"])
        XCTAssertFalse(TagPolicy(tags: ["latest", "1.*"]).isLiteral)
    }

    func testMutableTagsAcceptPatterns() {
        let policy = TagPolicy(mutableTags: ["latest", "edge-*", "@semver"])
        XCTAssertTrue(policy.isMutable("latest"))
        XCTAssertTrue(policy.isMutable("edge-arm64"))
        XCTAssertTrue(policy.isMutable("1.2"))
        XCTAssertFalse(policy.isMutable("edge"))
        XCTAssertTrue(TagPolicy(mutableTags: ["*"]).isMutable("anything"))
    }

    func testABadRegexNamesThePattern() {
        XCTAssertThrowsError(try TagPolicy(tags: ["regex:(["]).validate()) { error in
            XCTAssertEqual("\(error)", "invalid tag pattern \"regex:([\": not a valid regular expression")
        }
    }
}

final class BackoffTests: XCTestCase {
    func testTheCeilingDoublesUpToTheMaximum() {
        let backoff = Backoff(attempts: 10, initial: .milliseconds(100), maximum: .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: 0), .milliseconds(100))
        XCTAssertEqual(backoff.ceiling(forAttempt: 2), .milliseconds(400))
        XCTAssertEqual(backoff.ceiling(forAttempt: 4), .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: 60), .seconds(1))
    }

    func testFullJitterStaysWithinZeroAndTheCeiling() {
        let backoff = Backoff(attempts: 5, initial: .milliseconds(100), maximum: .seconds(10))
        XCTAssertEqual(backoff.delay(forAttempt: 3, random: { _ in 0 }), .zero)
        XCTAssertEqual(backoff.delay(forAttempt: 3, random: { $0 }), .milliseconds(800))
        for _ in 0..<200 {
            let delay = backoff.delay(forAttempt: 2)
            XCTAssertTrue(delay >= .zero && delay <= .milliseconds(400))
        }
    }
}
