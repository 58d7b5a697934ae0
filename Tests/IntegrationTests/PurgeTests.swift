#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// `purge: true` and `sync --purge` through the binary, against distribution 2.8 (which deletes
/// manifests by digest only, so every purge here takes the digest path and its shared-digest guard).
final class PurgeTests: XCTestCase {
    private struct Fixture {
        let source: RegistryServer
        let target: RegistryServer

        init() throws {
            source = try RegistryServer.start()
            target = try RegistryServer.start()
        }
    }

    private static let shared = SharedFixture { try Fixture() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    private func seed(_ registry: RegistryServer, _ repository: String, _ tags: [(String, Int)]) throws -> [String: ImageSeeder.Pushed] {
        let pushed = try ImageSeeder(registry).push(tags.map { tag, seed in
            ImageSeeder.Image(repository: repository, tag: tag, kind: .docker(layers: [300]), seed: seed)
        })
        return Dictionary(pushed.map { ($0.tag, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func testConfigPurgeDeletesTagsGoneOrUnselectedKeepsMutableAndSharedDigestTags() throws {
        let fixture = try Self.shared.get()
        let (source, target) = (fixture.source, fixture.target)
        // 2.0-old shares 2.0's digest: the same seed gives the same image.
        let pushed = try seed(source, "purge/app", [("0.9", 1200), ("1.0", 1201), ("2.0", 1202), ("2.0-old", 1202),
                                                    ("3.0", 1203), ("latest", 1204)])
        let first = try DockerSyncBinary.run(["sync", "-s", "\(source.host)/purge/app", "-t", "\(target.host)/purge/app"])
        XCTAssertEqual(first.status, 0, first.output)

        try source.deleteManifest(repository: "purge/app", digest: pushed["0.9"]!.digest)
        try source.deleteManifest(repository: "purge/app", digest: pushed["latest"]!.digest)
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              interval: 1h
              images:
                - source: \(source.host)/purge/app
                  targets: [\(target.host)/purge/app]
                  tags: ["[0-9].[0-9]"]
                  mutableTags: [latest]
                  purge: true
            """)
        let daemon = try DockerSyncBinary.start(["--config", config])
        try daemon.waitForOutput("next sync")
        daemon.signal(SIGTERM)
        let run = try daemon.wait(timeout: 30)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("1 purged"), run.output)
        XCTAssertTrue(run.output.contains("tag=0.9"), "each deleted tag is logged:\n\(run.output)")
        XCTAssertTrue(run.output.contains("the kept tag 2.0 needs") && run.output.contains("tag=2.0-old"), run.output)
        XCTAssertFalse(run.output.contains("not supported"), run.output)

        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/app"), ["1.0", "2.0", "2.0-old", "3.0", "latest"])
        XCTAssertEqual(try target.manifestStatus(repository: "purge/app", reference: "0.9"), 404)
        for tag in ["1.0", "2.0", "3.0"] {
            try assertSameDigest("\(source.host)/purge/app:\(tag)", "\(target.host)/purge/app:\(tag)")
        }
        XCTAssertEqual(try Skopeo.inspectDigest("\(target.host)/purge/app:latest"), pushed["latest"]!.digest, "a mutable tag is kept")
    }

    func testPurgeFlagDryRunPrintsAndDeletesNothingThenTheRealRunDeletes() throws {
        let fixture = try Self.shared.get()
        let (source, target) = (fixture.source, fixture.target)
        let pushed = try seed(source, "purge/cli", [("1.0", 1210), ("2.0", 1211)])
        let arguments = ["sync", "-s", "\(source.host)/purge/cli", "-t", "\(target.host)/purge/cli"]
        XCTAssertEqual(try DockerSyncBinary.run(arguments).status, 0)
        try source.deleteManifest(repository: "purge/cli", digest: pushed["1.0"]!.digest)

        let deletesBefore = try target.requestCount(method: "DELETE", path: "/manifests/")
        let dry = try DockerSyncBinary.run(arguments + ["--purge", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.output)
        XCTAssertTrue(dry.stdout.contains("would purge \(target.host)/purge/cli:1.0"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("1 would be purged (dry run)"), dry.stdout)
        XCTAssertEqual(try target.requestCount(method: "DELETE", path: "/manifests/"), deletesBefore, "a dry run deletes nothing")
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/cli"), ["1.0", "2.0"])

        let real = try DockerSyncBinary.run(arguments + ["--purge"])
        XCTAssertEqual(real.status, 0, real.output)
        XCTAssertTrue(real.stdout.contains("1 purged"), real.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/cli"), ["2.0"])
        XCTAssertEqual(try target.manifestStatus(repository: "purge/cli", reference: "1.0"), 404)
        try assertSameDigest("\(source.host)/purge/cli:2.0", "\(target.host)/purge/cli:2.0")
    }

    func testAPlatformManifestTaggedOnItsOwnIsNotDeletedFromUnderAKeptIndex() throws {
        let fixture = try Self.shared.get()
        let (source, target) = (fixture.source, fixture.target)
        let index = try ImageSeeder(source).push(.ociIndex(layers: [200]), repository: "purge/multi", tag: "1.0", seed: 1220)
        let child = try XCTUnwrap(index.manifests.first).digest
        try Skopeo.copy(from: "\(source.host)/purge/multi@\(child)", to: "\(source.host)/purge/multi:1.0-amd64")
        let arguments = ["sync", "-s", "\(source.host)/purge/multi", "-t", "\(target.host)/purge/multi"]
        XCTAssertEqual(try DockerSyncBinary.run(arguments).status, 0)

        let run = try DockerSyncBinary.run(arguments + ["--purge", "-o", "1.0"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("the kept tag 1.0 needs"), run.output)
        XCTAssertEqual(try target.manifestStatus(repository: "purge/multi", reference: child), 200)
        try assertSameDigest("\(source.host)/purge/multi:1.0", "\(target.host)/purge/multi:1.0")
    }

    /// A registry that answers a tag DELETE by deleting the manifest with every tag on it (Harbor
    /// deletes the artifact; here a proxy turns the tag DELETE into a DELETE by digest) would take the
    /// kept tags that share it. The manifest is read before the DELETE and put back after it.
    func testARegistryThatDeletesTheManifestForATagDeleteGetsTheKeptTagsBack() throws {
        let fixture = try Self.shared.get()
        let (source, target) = (fixture.source, fixture.target)
        // rc shares 1.0's digest; 1.0-amd64 is the platform manifest inside the kept index 2.0.
        let pushed = try seed(source, "purge/harbor", [("1.0", 1230), ("rc", 1230)])
        let index = try ImageSeeder(source).push(.ociIndex(layers: [200]), repository: "purge/harbor", tag: "2.0", seed: 1231)
        let child = try XCTUnwrap(index.manifests.first).digest
        try Skopeo.copy(from: "\(source.host)/purge/harbor@\(child)", to: "\(source.host)/purge/harbor:2.0-amd64")
        XCTAssertEqual(try DockerSyncBinary.run(["sync", "-s", "\(source.host)/purge/harbor", "-t", "\(target.host)/purge/harbor"]).status, 0)

        let harbor = try FaultProxy.start(upstream: target, faults: [
            .deleteManifestForTag(repository: "purge/harbor", tag: "rc", digest: pushed["1.0"]!.digest),
            .deleteManifestForTag(repository: "purge/harbor", tag: "2.0-amd64", digest: child),
        ])
        let run = try DockerSyncBinary.run(["sync", "-s", "\(source.host)/purge/harbor", "-t", "\(harbor.host)/purge/harbor",
                                            "-o", "1.0,2.0", "--purge"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("2 purged"), run.stdout)
        XCTAssertTrue(run.output.contains("every tag on it; put it back under the kept tags 1.0"), run.output)
        XCTAssertTrue(run.output.contains("every tag on it; put it back") && run.output.contains("tag=2.0-amd64"), run.output)

        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/harbor"), ["1.0", "2.0"])
        for tag in ["1.0", "2.0"] {
            try assertSameDigest("\(source.host)/purge/harbor:\(tag)", "\(target.host)/purge/harbor:\(tag)")
        }
        XCTAssertEqual(try target.manifestStatus(repository: "purge/harbor", reference: child), 200, "the kept index's child is back")
    }

    func testZeroSourceTagsPurgesNothing() throws {
        let fixture = try Self.shared.get()
        let (source, target) = (fixture.source, fixture.target)
        let pushed = try seed(source, "purge/emptied", [("1.0", 1230)])
        let arguments = ["sync", "-s", "\(source.host)/purge/emptied", "-t", "\(target.host)/purge/emptied"]
        XCTAssertEqual(try DockerSyncBinary.run(arguments).status, 0)
        try source.deleteManifest(repository: "purge/emptied", digest: pushed["1.0"]!.digest)

        let run = try DockerSyncBinary.run(arguments + ["--purge"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("nothing purged: the source has no tags"), run.output)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/emptied"), ["1.0"])
    }

    func testPinnedSourceWithPurgeIsRefusedAsBadInput() throws {
        let run = try DockerSyncBinary.run(["sync", "-s", "127.0.0.1:5999/app:1.0", "-t", "127.0.0.1:5998/app", "--purge"])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.output.contains("pinned"), run.output)
    }

    func testRegistryWithDeletesDisabledGivesOneClearErrorAndCountsAgainstMaxErrors() throws {
        let fixture = try Self.shared.get()
        let source = fixture.source
        let target = try RegistryServer.start(deleteEnabled: false)
        let pushed = try seed(source, "purge/refused", [("1.0", 1240), ("2.0", 1241), ("3.0", 1242)])
        let arguments = ["sync", "-s", "\(source.host)/purge/refused", "-t", "\(target.host)/purge/refused"]
        XCTAssertEqual(try DockerSyncBinary.run(arguments).status, 0)
        for tag in ["1.0", "2.0"] { try source.deleteManifest(repository: "purge/refused", digest: pushed[tag]!.digest) }

        let run = try DockerSyncBinary.run(arguments + ["--purge"])
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertEqual(run.stdout.components(separatedBy: "FAILED").count - 1, 1, "one error for the target:\n\(run.stdout)")
        for part in ["does not allow deleting manifests", "405", "UNSUPPORTED", "storage.delete.enabled", target.host] {
            XCTAssertTrue(run.stdout.contains(part), "\(part) in:\n\(run.stdout)")
        }
        XCTAssertLessThanOrEqual(try target.requestCount(method: "DELETE", path: "/manifests/"), 2, "the tag, then its digest; no retries")
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/refused"), ["1.0", "2.0", "3.0"])

        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              interval: 1h
              maxerrors: 1
              images:
                - source: \(source.host)/purge/refused
                  targets: [\(target.host)/purge/refused]
                  purge: true
            """)
        let daemon = try DockerSyncBinary.run(["--config", config], timeout: 60)
        XCTAssertEqual(daemon.status, 1, daemon.output)
        XCTAssertTrue(daemon.output.contains("maxerrors"), daemon.output)
    }

    func testTokenAuthDeletesAskForTheDeleteActionAndCredentialsWithoutItFailOnce() throws {
        let fixture = try Self.shared.get()
        let source = fixture.source
        let deleter = TokenServer.User(username: "deleter", password: "delete-pass-1")
        let pusher = TokenServer.User(username: "pusher", password: "push-pass-2", actions: ["pull", "push"])
        let tokens = try TokenServer.start(users: [deleter, pusher])
        let target = try RegistryServer.start(auth: .token(tokens))
        let pushed = try seed(source, "purge/token", [("1.0", 1250), ("2.0", 1251), ("3.0", 1252)])
        let arguments = ["sync", "-s", "\(source.host)/purge/token", "-t", "\(target.host)/purge/token"]
        func login(_ user: TokenServer.User) -> [String] { ["--target-username", user.username, "--target-password", user.password] }
        XCTAssertEqual(try DockerSyncBinary.run(arguments + login(pusher)).status, 0)
        for tag in ["1.0", "2.0"] { try source.deleteManifest(repository: "purge/token", digest: pushed[tag]!.digest) }

        let denied = try DockerSyncBinary.run(arguments + login(pusher) + ["--purge"])
        XCTAssertEqual(denied.status, 1, denied.output)
        XCTAssertEqual(denied.stdout.components(separatedBy: "FAILED").count - 1, 1, "one failure:\n\(denied.stdout)")
        for part in ["deleting 1.0 failed", "401", "allowed to delete", "1 more tags not purged"] {
            XCTAssertTrue(denied.stdout.contains(part), "\(part) in:\n\(denied.stdout)")
        }
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/token", creds: deleter.credentials), ["1.0", "2.0", "3.0"])

        let allowed = try DockerSyncBinary.run(arguments + login(deleter) + ["--purge"])
        XCTAssertEqual(allowed.status, 0, allowed.output)
        XCTAssertTrue(allowed.stdout.contains("2 purged"), allowed.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/purge/token", creds: deleter.credentials), ["3.0"])
        let asked = try tokens.requests().filter { $0.user == "deleter" }.map { $0.requestedActions(repository: "purge/token") }
        XCTAssertTrue(asked.contains { $0.contains("delete") }, "\(asked)")
    }
}
