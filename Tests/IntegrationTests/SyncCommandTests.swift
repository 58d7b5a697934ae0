import Foundation
@testable import TestSupport
import XCTest

/// `docker-sync sync` as a user runs it: exit codes, the summary on stdout, errors on stderr, and
/// what skopeo then reads on the target.
final class SyncCommandTests: XCTestCase {
    /// A source and a target shared by the tests of this class; each test uses its own repositories.
    private struct Fixture {
        let source: RegistryServer
        let target: RegistryServer

        init() throws {
            source = try RegistryServer.start()
            target = try RegistryServer.start()
        }
    }

    private static let shared = SharedFixture { try Fixture() }

    private func fixture() throws -> Fixture { try Self.shared.get() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    func testSyncCopiesEveryTagAndExitsZero() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "cli/app", tag: "1.0", kind: .docker(layers: [512]), seed: 700),
            ImageSeeder.Image(repository: "cli/app", tag: "2.0", kind: .ociIndex(layers: [512]), seed: 701),
        ])
        let run = try DockerSyncBinary.run(["sync", "-s", "\(fixture.source.host)/cli/app", "-t", "\(fixture.target.host)/cli/app"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("2 synced"), run.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(fixture.target.host)/cli/app"), ["1.0", "2.0"])
        for tag in ["1.0", "2.0"] {
            try assertSameDigest("\(fixture.source.host)/cli/app:\(tag)", "\(fixture.target.host)/cli/app:\(tag)")
        }
    }

    /// On a terminal (a pseudo-terminal from util-linux `script`), `sync` redraws one status line on
    /// stderr — tags done of planned by outcome, bytes and rate — and ends it with the final figures.
    func testOnATerminalSyncShowsALiveProgressLine() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "tty/app", tag: "a", kind: .docker(layers: [300_000]), seed: 1600),
            ImageSeeder.Image(repository: "tty/app", tag: "b", kind: .oci(layers: [200_000]), seed: 1601),
        ])
        let command = [try DockerSyncExecutable.path(), "sync", "-s", "\(fixture.source.host)/tty/app",
                       "-t", "\(fixture.target.host)/tty/app"].joined(separator: " ")
        let home = try TemporaryDirectory()
        let run = try ChildProcess(executable: "/usr/bin/script", arguments: ["--quiet", "--return", "--command", command, "/dev/null"],
                                   environment: ["PATH": "/usr/bin:/bin", "HOME": home.path, "TERM": "dumb"],
                                   directory: home.path).wait(timeout: 120)
        XCTAssertEqual(run.status, 0, run.output)
        let lines = run.stdout.components(separatedBy: "\r\u{1B}[K")
        XCTAssertGreaterThan(lines.count, 1, "a status line redrawn in place:\n\(run.stdout.debugDescription)")
        let last = try XCTUnwrap(lines.last?.split(separator: "\n").first.map(String.init))
        XCTAssertNotNil(last.range(of: #"^2/2 tags: 2 synced, 0 up to date, 0 skipped, 0 failed · 0\.5 MiB at [0-9.]+ MiB/s · \d+ s"#,
                                   options: .regularExpression), last.debugDescription)
        XCTAssertTrue(run.stdout.contains("2 synced, 0 up to date, 0 skipped, 0 failed; blobs:"), "the summary follows")
    }

    func testSchema1TagFailsAsUnsupportedWhileTheOtherTagsSync() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push(.oci(layers: [512]), repository: "cli/legacy", tag: "new", seed: 702)
        let body = ImageSeeder.schema1Manifest(repository: "cli/legacy", tag: "old")
        // Served at the tag and at its digest, as a registry holding it would.
        let proxy = try FaultProxy.start(upstream: fixture.source, faults: try ["old", sha256Digest(body)].map {
            try .serveManifest(repository: "cli/legacy", reference: $0, body: body, mediaType: ImageSeeder.schema1MediaType)
        })

        let run = try DockerSyncBinary.run(["sync", "-s", "\(proxy.host)/cli/legacy", "-t", "\(fixture.target.host)/cli/legacy",
                                            "-o", "new,old"])
        XCTAssertEqual(run.status, 1, run.output)
        let failed = run.stdout.split(separator: "\n").filter { $0.contains("FAILED") }
        XCTAssertEqual(failed.count, 1, run.stdout)
        let line = String(failed.first ?? "")
        XCTAssertTrue(line.contains("cli/legacy:old"), line)
        XCTAssertTrue(line.lowercased().contains("schema 1") && line.lowercased().contains("not support"), line)
        XCTAssertEqual(try Skopeo.listTags("\(fixture.target.host)/cli/legacy"), ["new"])
        try assertSameDigest("\(fixture.source.host)/cli/legacy:new", "\(fixture.target.host)/cli/legacy:new")
    }

    func testDryRunPrintsThePlanAndCopiesNothing() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "cli/dry", tag: "a", kind: .docker(layers: [256]), seed: 703),
            ImageSeeder.Image(repository: "cli/dry", tag: "b", kind: .dockerManifestList(layers: [256]), seed: 704),
        ])
        let target = "\(fixture.target.host)/cli/dry"
        let run = try DockerSyncBinary.run(["sync", "-s", "\(fixture.source.host)/cli/dry", "-t", target, "--dry-run"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("would sync \(fixture.source.host)/cli/dry:a → \(target)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("would sync \(fixture.source.host)/cli/dry:b → \(target)"), run.stdout)

        let tags = try LoopbackHTTP.request("GET", port: fixture.target.port, path: "/v2/cli/dry/tags/list")
        XCTAssertEqual(tags.status, 404, "the target repository has no tags: \(String(decoding: tags.body, as: UTF8.self))")
        let writes = fixture.target.accessLog().filter { $0.path.hasPrefix("/v2/cli/dry/") && $0.method != "GET" && $0.method != "HEAD" }
        XCTAssertEqual(writes, [], "nothing written to the target")
    }

    func testBadReferenceExitsTwoWithAMessage() throws {
        let run = try DockerSyncBinary.run(["sync", "-s", "127.0.0.1:5000/Upper/Case", "-t", "127.0.0.1:5000/ok"])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.stderr.hasPrefix("error: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("127.0.0.1:5000/Upper/Case"), run.stderr)
        XCTAssertEqual(run.stdout, "")
    }

    func testPersistentServerErrorExitsOneNamingRegistryRequestAndStatus() throws {
        let fixture = try fixture()
        let pushed = try ImageSeeder(fixture.source).push(.docker(layers: [512]), repository: "cli/broken", tag: "v1", seed: 705)
        let layer = try XCTUnwrap(pushed.blobs.last)
        let proxy = try FaultProxy.start(upstream: fixture.source, faults: [
            .status(500, methods: ["GET"], path: "/blobs/\(layer)", name: "broken-layer"),
        ])
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              retry:
                attempts: 1
            """)

        let run = try DockerSyncBinary.run(["sync", "--config", config, "-s", "\(proxy.host)/cli/broken",
                                            "-t", "\(fixture.target.host)/cli/broken"])
        XCTAssertEqual(run.status, 1, run.output)
        let line = String(run.stdout.split(separator: "\n").first { $0.contains("FAILED") } ?? "")
        XCTAssertTrue(line.contains("cli/broken:v1"), run.stdout)
        XCTAssertTrue(line.contains("registry \(proxy.host)"), line)
        XCTAssertTrue(line.contains("GET /v2/cli/broken/blobs/\(layer)"), line)
        XCTAssertTrue(line.contains("500"), line)
        XCTAssertGreaterThan(try proxy.stats().faultCount("broken-layer"), 0)
        let tags = try LoopbackHTTP.request("GET", port: fixture.target.port, path: "/v2/cli/broken/tags/list")
        XCTAssertEqual(tags.status, 404, "no tag pushed without its blobs")
    }

    /// The original's semantics: a tag already on the target is left alone unless it is mutable;
    /// a mutable tag that moved on the source is copied again.
    func testMovedSourceTagIsUpdatedOnlyWhenMutable() throws {
        let fixture = try fixture()
        let seeder = ImageSeeder(fixture.source)
        let proxy = try FaultProxy.start(upstream: fixture.source)
        let source = "\(proxy.host)/cli/moving", target = "\(fixture.target.host)/cli/moving"
        let first = try seeder.push([
            ImageSeeder.Image(repository: "cli/moving", tag: "latest", kind: .docker(layers: [256]), seed: 706),
            ImageSeeder.Image(repository: "cli/moving", tag: "stable", kind: .docker(layers: [256]), seed: 707),
        ])
        XCTAssertEqual(try DockerSyncBinary.run(["sync", "-s", source, "-t", target]).status, 0)

        let moved = try seeder.push([
            ImageSeeder.Image(repository: "cli/moving", tag: "latest", kind: .oci(layers: [256]), seed: 708),
            ImageSeeder.Image(repository: "cli/moving", tag: "stable", kind: .oci(layers: [256]), seed: 709),
        ])
        XCTAssertNotEqual(moved[0].digest, first[0].digest)

        try proxy.resetStats()
        let immutable = try DockerSyncBinary.run(["sync", "-s", source, "-t", target])
        XCTAssertEqual(immutable.status, 0, immutable.output)
        XCTAssertTrue(immutable.stdout.contains("2 skipped"), immutable.stdout)
        XCTAssertEqual(try proxy.stats().count(pathContaining: "/manifests/"), 0, "skipped tags are not asked of the source")
        XCTAssertEqual(try Skopeo.inspectDigest("\(target):latest"), first[0].digest)

        try proxy.resetStats()
        let mutable = try DockerSyncBinary.run(["sync", "-s", source, "-t", target, "-m", "latest"])
        XCTAssertEqual(mutable.status, 0, mutable.output)
        XCTAssertTrue(mutable.stdout.contains("1 synced"), mutable.stdout)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.count(pathContaining: "/manifests/stable"), 0, "the immutable tag is still not asked for")
        XCTAssertGreaterThan(stats.count(pathContaining: "/manifests/latest"), 0)
        XCTAssertEqual(try Skopeo.inspectDigest("\(target):latest"), moved[0].digest)
        try assertSameDigest("\(fixture.source.host)/cli/moving:latest", "\(target):latest")
        XCTAssertEqual(try Skopeo.inspectDigest("\(target):stable"), first[1].digest)
    }

    func testBasicAuthCredentialsFromFlagsAndEnvironmentNeverAppearInOutput() throws {
        let sourcePassword = "src-Pa55-q8Zr-4711", targetPassword = "dst-Pa55-w3Xy-0815"
        let source = try RegistryServer.start(auth: .htpasswd(username: "puller", password: sourcePassword))
        let target = try RegistryServer.start(auth: .htpasswd(username: "pusher", password: targetPassword))
        try ImageSeeder(source).push(.ociIndex(layers: [256]), repository: "secret/app", tag: "v1", seed: 710)
        let arguments = ["sync", "-s", "\(source.host)/secret/app", "-t", "\(target.host)/secret/app",
                         "--source-username", "puller", "--source-password", sourcePassword]
        let environment = ["DOCKER_SYNC_TARGET_USERNAME": "pusher", "DOCKER_SYNC_TARGET_PASSWORD": targetPassword]

        let run = try DockerSyncBinary.run(arguments, environment: environment)
        XCTAssertEqual(run.status, 0, run.output)
        try assertSameDigest("\(source.host)/secret/app:v1", "\(target.host)/secret/app:v1",
                             sourceCreds: source.credentials, targetCreds: target.credentials)
        assertNoSecret(in: run, ("puller", sourcePassword), ("pusher", targetPassword))

        let wrong = "wrong-Pa55-k9Vb-2024"
        let rejected = try DockerSyncBinary.run(["sync", "-s", "\(source.host)/secret/app", "-t", "\(target.host)/other",
                                                 "--source-username", "puller", "--source-password", wrong],
                                                environment: environment)
        XCTAssertEqual(rejected.status, 1, rejected.output)
        XCTAssertTrue(rejected.stdout.contains("401"), rejected.stdout)
        assertNoSecret(in: rejected, ("puller", wrong), ("pusher", targetPassword))
    }

    /// Neither a password nor its Basic encoding (`base64(user:password)`) is in the output.
    private func assertNoSecret(in run: ChildProcess.Result, _ logins: (user: String, password: String)...,
                                file: StaticString = #filePath, line: UInt = #line) {
        for login in logins {
            XCTAssertFalse(run.output.contains(login.password), "a password was printed:\n\(run.output)", file: file, line: line)
            let basic = Data("\(login.user):\(login.password)".utf8).base64EncodedString()
            XCTAssertFalse(run.output.contains(basic), "a password was printed encoded", file: file, line: line)
        }
    }
}

/// The original's README: `docker-sync --source … --target …`, without the subcommand.
final class SyncShorthandTests: XCTestCase {
    func testSourceAndTargetWithoutTheSubcommandRunASync() throws {
        let source = try RegistryServer.start()
        defer { source.stop() }
        let target = try RegistryServer.start()
        defer { target.stop() }
        try ImageSeeder(source).push(.docker(layers: [256]), repository: "short/app", tag: "1.0", seed: 740)
        let run = try DockerSyncBinary.run(["--source", "\(source.host)/short/app", "--target", "\(target.host)/short/app"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("1 synced"), run.stdout)
        try assertSameDigest("\(source.host)/short/app:1.0", "\(target.host)/short/app:1.0")

        let help = try DockerSyncBinary.run(["--help"])
        XCTAssertEqual(help.status, 0, help.output)
        XCTAssertTrue(help.stdout.contains("SUBCOMMANDS"), help.stdout)
    }
}
