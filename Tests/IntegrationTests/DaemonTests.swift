#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// `docker-sync` with no subcommand: the original's daemon, syncing `sync.images` every
/// `sync.interval` until a signal, or until a cycle's failures reach `sync.maxerrors`.
final class DaemonTests: XCTestCase {
    func testOneCycleThenACleanExitOnSIGTERM() throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "daemon/app", tag: "v1", kind: .docker(layers: [256]), seed: 900),
            ImageSeeder.Image(repository: "daemon/app", tag: "v2", kind: .ociIndex(layers: [256]), seed: 901),
        ])
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              interval: 1h
              images:
                - source: \(source.host)/daemon/app
                  targets:
                    - \(target.host)/daemon/mirror
            """)

        let daemon = try DockerSyncBinary.start(["--config", config])
        try daemon.waitForOutput("next sync")
        daemon.signal(SIGTERM)
        let run = try daemon.wait(timeout: 30)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("sync cycle finished"), run.output)
        for tag in ["v1", "v2"] {
            try assertSameDigest("\(source.host)/daemon/app:\(tag)", "\(target.host)/daemon/mirror:\(tag)")
        }
        XCTAssertEqual(run.output.components(separatedBy: "sync cycle started").count - 1, 1, "one cycle in an hour's interval")
    }

    func testFailuresReachingMaxErrorsStopTheDaemonWithExitOne() throws {
        let source = try RegistryServer.start()
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              interval: 1h
              maxerrors: 1
              images:
                - source: \(source.host)/daemon/missing
                  targets: [\(source.host)/daemon/copy]
            """)

        let run = try DockerSyncBinary.run(["--config", config], timeout: 60)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("maxerrors"), run.output)
        XCTAssertTrue(run.output.contains("daemon/missing"), run.output)
        XCTAssertFalse(run.output.contains("next sync"), "no second cycle is scheduled")
    }
}
