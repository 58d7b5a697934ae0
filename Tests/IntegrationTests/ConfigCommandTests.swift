import Foundation
import TestSupport
import XCTest

/// Config files from the command line: errors point at file, line and column; `writeConfig`
/// writes the default config and replaces it only with `--force`.
final class ConfigCommandTests: XCTestCase {
    func testBadValueIsReportedWithFileLineAndColumnAndExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              maxerrors: 3
              interval: 5 minutes
            """)
        let run = try DockerSyncBinary.run(["--config", config])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.stderr.hasPrefix("error: \(config):3:13: sync.interval:"), run.stderr)
        XCTAssertTrue(run.stderr.contains("5 minutes"), run.stderr)
    }

    func testYAMLSyntaxErrorIsReportedWithFileLineAndColumnAndExitsTwo() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              images:
                - source: [unclosed
            """)
        let run = try DockerSyncBinary.run(["sync", "--config", config, "-s", "127.0.0.1:5000/a", "-t", "127.0.0.1:5001/a"])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertNotNil(run.stderr.range(of: #"^error: \#(NSRegularExpression.escapedPattern(for: config)):[0-9]+:[0-9]+: "#,
                                         options: .regularExpression), run.stderr)
    }

    func testMissingConfigFileIsNamed() throws {
        let missing = "/nonexistent-\(UUID().uuidString)/config.yaml"
        let run = try DockerSyncBinary.run(["--config", missing])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.stderr.contains(missing), run.stderr)
    }

    func testWriteConfigRefusesToOverwriteWithoutForce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nested/config.yaml")

        let first = try DockerSyncBinary.run(["writeConfig", "-o", path])
        XCTAssertEqual(first.status, 0, first.output)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(written.contains("docker.io/library/ubuntu"), written)
        XCTAssertTrue(written.contains("maxerrors"), written)

        try "edited\n".write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try DockerSyncBinary.run(["writeConfig", "-o", path])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.hasPrefix("error: "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "edited\n", "the file is left alone")

        let forced = try DockerSyncBinary.run(["writeConfig", "-o", path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.output)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), written)
    }

    /// What `writeConfig` writes is a config the `sync` command accepts.
    func testWrittenConfigLoadsBack() throws {
        let registry = try RegistryServer.start()
        let directory = try TemporaryDirectory()
        let path = directory.file("config.yaml")
        XCTAssertEqual(try DockerSyncBinary.run(["writeConfig", "-o", path]).status, 0)
        // A tag that does not exist fails at once: the point is that the config loads and the sync runs.
        let run = try DockerSyncBinary.run(["sync", "--config", path, "-s", "\(registry.host)/absent:v1", "-t", "\(registry.host)/copy"])
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.stdout.contains("FAILED \(registry.host)/absent:v1"), run.stdout)
        XCTAssertFalse(run.stderr.contains("error:"), run.stderr)
    }

    func testVersion() throws {
        let run = try DockerSyncBinary.run(["version"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.hasPrefix("docker-sync "), run.stdout)
    }
}
