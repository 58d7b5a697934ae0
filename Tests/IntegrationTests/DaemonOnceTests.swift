#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import TestSupport
import XCTest

/// `docker-sync daemon --once` (and `--once --dry-run`) as a CronJob or a CI step runs it: one cycle
/// of every `sync.images` entry, the `sync` summary on stdout, and an exit status that says whether
/// everything synced (0), something failed (1) or the input was bad (2).
final class DaemonOnceTests: XCTestCase {
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

    /// Two images: `NAME/app` (tags a, b) to `NAME/app-mirror`, and `NAME/tool` (tag 1.0) to
    /// `NAME/tool-mirror` with `purge: true`, whose target already holds a tag `old` the source lacks.
    private func seedTwoImages(_ fixture: Fixture, _ name: String, seed: Int) throws {
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "\(name)/app", tag: "a", kind: .docker(layers: [256]), seed: seed),
            ImageSeeder.Image(repository: "\(name)/app", tag: "b", kind: .ociIndex(layers: [256]), seed: seed + 1),
            ImageSeeder.Image(repository: "\(name)/tool", tag: "1.0", kind: .oci(layers: [256]), seed: seed + 2),
        ])
        try ImageSeeder(fixture.target).push(.docker(layers: [256]), repository: "\(name)/tool-mirror", tag: "old", seed: seed + 3)
    }

    /// The config file of those two images, in `directory` (removed with it).
    private func config(in directory: TemporaryDirectory, _ fixture: Fixture, _ name: String, appSource: String? = nil) throws -> String {
        try directory.write("config.yaml", """
            sync:
              interval: 1h
              maxerrors: 0
              retry:
                attempts: 1
              images:
                - source: \(appSource ?? "\(fixture.source.host)/\(name)/app")
                  targets: [\(fixture.target.host)/\(name)/app-mirror]
                - source: \(fixture.source.host)/\(name)/tool
                  targets: [\(fixture.target.host)/\(name)/tool-mirror]
                  purge: true
            """)
    }

    func testOnceSyncsAndPurgesEveryImageThenExitsZero() throws {
        let fixture = try Self.shared.get()
        let directory = try TemporaryDirectory()
        try seedTwoImages(fixture, "once", seed: 1300)
        let run = try DockerSyncBinary.run(["daemon", "--once", "--config", try config(in: directory, fixture, "once")], timeout: 120)

        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("3 synced"), run.stdout)
        XCTAssertTrue(run.stdout.contains("1 purged"), run.stdout)
        XCTAssertTrue(run.stdout.contains("0 failed"), run.stdout)
        XCTAssertFalse(run.output.contains("next sync"), "one cycle, no second one scheduled")
        XCTAssertEqual(try Skopeo.listTags("\(fixture.target.host)/once/app-mirror"), ["a", "b"])
        XCTAssertEqual(try Skopeo.listTags("\(fixture.target.host)/once/tool-mirror"), ["1.0"])
        for tag in ["a", "b"] {
            try assertSameDigest("\(fixture.source.host)/once/app:\(tag)", "\(fixture.target.host)/once/app-mirror:\(tag)")
        }
        try assertSameDigest("\(fixture.source.host)/once/tool:1.0", "\(fixture.target.host)/once/tool-mirror:1.0")
    }

    /// `docker-sync --once`: the daemon is the default command.
    func testOnceWithoutTheSubcommandRunsTheDaemonOnce() throws {
        let fixture = try Self.shared.get()
        let directory = try TemporaryDirectory()
        try seedTwoImages(fixture, "bare", seed: 1310)
        let run = try DockerSyncBinary.run(["--once", "--config", try config(in: directory, fixture, "bare")], timeout: 120)

        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("3 synced"), run.stdout)
        try assertSameDigest("\(fixture.source.host)/bare/tool:1.0", "\(fixture.target.host)/bare/tool-mirror:1.0")
    }

    func testASourceFailingWithFiveHundredsExitsOneNamingItWhileTheOtherImageSyncs() throws {
        let fixture = try Self.shared.get()
        let directory = try TemporaryDirectory()
        try seedTwoImages(fixture, "broken", seed: 1320)
        let proxy = try FaultProxy.start(upstream: fixture.source, faults: [
            .status(500, methods: ["GET"], path: "/v2/broken/app/tags/list", name: "app-tags"),
        ])
        let config = try config(in: directory, fixture, "broken", appSource: "\(proxy.host)/broken/app")
        let run = try DockerSyncBinary.run(["daemon", "--once", "--config", config], timeout: 120)

        XCTAssertEqual(run.status, 1, run.output)
        let line = String(run.stdout.split(separator: "\n").first { $0.contains("FAILED") } ?? "")
        XCTAssertTrue(line.contains("\(proxy.host)/broken/app"), run.stdout)
        XCTAssertTrue(line.contains("registry \(proxy.host)"), line)
        XCTAssertTrue(line.contains("GET /v2/broken/app/tags/list"), line)
        XCTAssertTrue(line.contains("500"), line)
        XCTAssertGreaterThan(try proxy.stats().faultCount("app-tags"), 0)
        XCTAssertTrue(run.stdout.contains("1 synced") && run.stdout.contains("1 purged"), run.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(fixture.target.host)/broken/tool-mirror"), ["1.0"])
        try assertSameDigest("\(fixture.source.host)/broken/tool:1.0", "\(fixture.target.host)/broken/tool-mirror:1.0")
    }

    func testOnceDryRunPrintsWhatWouldBeSyncedAndPurgedAndChangesNothing() throws {
        let fixture = try Self.shared.get()
        let directory = try TemporaryDirectory()
        try seedTwoImages(fixture, "plan", seed: 1330)
        let (source, target) = (fixture.source.host, fixture.target.host)
        let oldDigest = try Skopeo.inspectDigest("\(target)/plan/tool-mirror:old")
        let writesBefore = targetWrites(fixture, under: "/v2/plan/")

        let run = try DockerSyncBinary.run(["daemon", "--once", "--dry-run", "--config", try config(in: directory, fixture, "plan")], timeout: 120)

        XCTAssertEqual(run.status, 0, run.output)
        for tag in ["a", "b"] {
            XCTAssertTrue(run.stdout.contains("would sync \(source)/plan/app:\(tag) → \(target)/plan/app-mirror"), run.stdout)
        }
        XCTAssertTrue(run.stdout.contains("would sync \(source)/plan/tool:1.0 → \(target)/plan/tool-mirror"), run.stdout)
        XCTAssertTrue(run.stdout.contains("would purge \(target)/plan/tool-mirror:old"), run.stdout)
        XCTAssertTrue(run.stdout.contains("3 would be synced (dry run)") && run.stdout.contains("1 would be purged (dry run)"), run.stdout)

        let tags = try LoopbackHTTP.request("GET", port: fixture.target.port, path: "/v2/plan/app-mirror/tags/list")
        XCTAssertEqual(tags.status, 404, "nothing copied: \(String(decoding: tags.body, as: UTF8.self))")
        XCTAssertEqual(try Skopeo.listTags("\(target)/plan/tool-mirror"), ["old"])
        XCTAssertEqual(try Skopeo.inspectDigest("\(target)/plan/tool-mirror:old"), oldDigest, "nothing purged")
        XCTAssertEqual(targetWrites(fixture, under: "/v2/plan/"), writesBefore, "no PUT, POST, PATCH or DELETE on the target")
    }

    /// SIGTERM mid-cycle (a CronJob's deadline, a cancelled pipeline): the transfers in flight finish,
    /// the rest is not started, the summary is printed, and the run does not claim success.
    func testSIGTERMDuringTheCycleFinishesInFlightTransfersAndExitsOne() throws {
        let fixture = try Self.shared.get()
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "cut/app", tag: "a", kind: .docker(layers: [256]), seed: 1340),
            ImageSeeder.Image(repository: "cut/app", tag: "b", kind: .docker(layers: [256]), seed: 1341),
        ])
        let proxy = try FaultProxy.start(upstream: fixture.source, faults: [.delay(2, methods: ["GET"], path: "/blobs/")])
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              images:
                - source: \(proxy.host)/cut/app
                  targets: [\(fixture.target.host)/cut/app]
            """)

        let daemon = try DockerSyncBinary.start(["daemon", "--once", "--config", config])
        try daemon.waitForOutput("planned 2 tag syncs")
        daemon.signal(SIGTERM)
        let run = try daemon.wait(timeout: 60)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.stderr.contains("error: interrupted by a signal before every image was synced"), run.stderr)
        XCTAssertTrue(run.stdout.contains("0 failed"), "the summary of what was done:\n\(run.stdout)")
        XCTAssertTrue(run.stdout.contains("blobs:"), run.stdout)
    }

    func testDryRunWithoutOnceIsRefusedWithExitTwo() throws {
        for arguments in [["daemon", "--dry-run"], ["--dry-run"]] {
            let run = try DockerSyncBinary.run(arguments, timeout: 30)
            XCTAssertEqual(run.status, 2, run.output)
            XCTAssertTrue(run.stderr.hasPrefix("error: --dry-run needs --once"), run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
    }

    func testBadConfigExitsTwoWithFileLineAndColumn() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              images:
                - source: 127.0.0.1:5000/a
                  targets: [127.0.0.1:5001/a]
                  purge: sometimes
            """)
        for arguments in [["daemon", "--once"], ["daemon", "--once", "--dry-run"]] {
            let run = try DockerSyncBinary.run(arguments + ["--config", config], timeout: 30)
            XCTAssertEqual(run.status, 2, run.output)
            XCTAssertTrue(run.stderr.hasPrefix("error: \(config):5:14: sync.images[0].purge:"), run.stderr)
            XCTAssertTrue(run.stderr.contains("sometimes"), run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
    }

    /// A fleet's copies belong to its workers (fleet-wide per-registry limits, the halt at maxerrors):
    /// `--once` points to `scheduler --once` instead; a dry run only reads, so it plans in this process.
    func testOnceOnAFleetRedisIsRefusedButADryRunPlansInProcess() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", "sync:\n  interval: 1h\n")
        let environment = ["DOCKER_SYNC_REDIS_URL": "redis://127.0.0.1:1/0"]
        let refused = try DockerSyncBinary.run(["daemon", "--once", "--config", config], environment: environment, timeout: 30)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.hasPrefix("error: --once does not run on a fleet's Redis"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("docker-sync scheduler --once"), refused.stderr)

        let planned = try DockerSyncBinary.run(["daemon", "--once", "--dry-run", "--config", config], environment: environment, timeout: 30)
        XCTAssertEqual(planned.status, 0, planned.output)
        XCTAssertTrue(planned.stdout.contains("0 synced"), planned.stdout)
    }

    private func targetWrites(_ fixture: Fixture, under prefix: String) -> Int {
        fixture.target.accessLog().filter { $0.path.hasPrefix(prefix) && !["GET", "HEAD"].contains($0.method) }.count
    }
}
