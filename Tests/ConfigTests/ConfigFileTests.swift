import Foundation
import XCTest
@testable import Config

final class ConfigFileTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "config-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testRenderedDefaultConfigLoadsBackEqual() throws {
        let text = Config.defaultConfig.renderYAML()
        let loaded = try Config.parse(yaml: text, environment: [:])
        XCTAssertEqual(loaded.config, Config.defaultConfig)
        XCTAssertEqual(loaded.warnings, [])
    }

    func testRenderedDefaultKeepsTheReadmeLayout() {
        let text = Config.defaultConfig.renderYAML()
        XCTAssertTrue(text.hasPrefix("ecr:\n  region: us-east-1\nlogging:\n  colors: true\n  format: text\n  level: INFO\n"
            + "  output: stdout\n  timeformat: \"15:04:05\"\n"), text)
        XCTAssertTrue(text.contains("""
          images:
            - source: docker.io/library/ubuntu
              targets:
                - docker.io/kamushadenes/ubuntu
          interval: 5m
          maxerrors: 5
          registries:
            - auth:
                helper: ""
                password: ""
                token: ""
                username: ""
        """), text)
        XCTAssertTrue(text.hasSuffix("""
        telemetry:
          enabled: false
          metrics:
            exporter: prometheus
            prometheus:
              address: 127.0.0.1:9090
              path: /metrics
            stdout:
              interval: 5s

        """), text)
        XCTAssertTrue(text.contains("redis:\n  deadletters:\n    max: 10000\n    maxage: 168h\n  leasettl: 30s\n"), text)
    }

    func testEveryFieldSurvivesARoundTrip() throws {
        var config = Config()
        config.ecr.region = "eu-west-1"
        config.logging.colors = false
        config.logging.format = .json
        config.logging.level = .warn
        config.logging.output = .file("true")
        config.logging.timeFormat = "2006-01-02T15:04:05.000Z07:00"
        config.redis.url = "redis://:p%40ss@redis:6379/2"
        config.redis.prefix = "prod"
        config.redis.leaseTTL = GoDuration(nanoseconds: 1_500_000_000)
        config.redis.deadLetters.max = 0
        config.redis.deadLetters.maxAge = .hours(1)
        config.sync.images = [ImageConfig(source: "ubuntu", targets: ["r2:acct:bucket:ubuntu", "s3:us-east-1:b:ubuntu"],
                                          tags: ["22.04", "24.04"], mutableTags: ["latest"], ignoredTags: ["*-rc"], purge: true)]
        config.sync.interval = GoDuration(nanoseconds: 5_400_000_000_000)
        config.sync.maxErrors = 0
        config.sync.registries = [RegistryConfig(name: "yes", url: "ghcr.io/org",
                                                 auth: RegistryAuth(username: "u", password: "p: #x", token: "'t'", helper: "ecr"),
                                                 insecure: true, ca: "/ca.pem")]
        config.sync.retry.attempts = 1
        config.sync.retry.initialBackoff = GoDuration(nanoseconds: 250_000_000)
        config.sync.retry.maxBackoff = .hours(2)
        config.sync.concurrency.tags = 1
        config.sync.concurrency.blobs = 2
        config.sync.concurrency.perRegistry = 3
        config.telemetry.enabled = true
        config.telemetry.metrics.exporter = .stdout
        config.telemetry.metrics.prometheus.address = "0.0.0.0:9100"
        config.telemetry.metrics.prometheus.path = "/m"
        config.telemetry.metrics.stdout.interval = .minutes(1)
        let text = config.renderYAML()
        let loaded = try Config.parse(yaml: text, environment: [:])
        XCTAssertEqual(loaded.config, config, text)
        XCTAssertEqual(loaded.warnings, [])
    }

    func testWriteDefaultConfigRefusesToOverwriteWithoutForce() throws {
        let path = directory + "/nested/config.yaml"
        try writeDefaultConfig(to: path, force: false)
        XCTAssertEqual(try Config.load(path: path, environment: [:]).config, Config.defaultConfig)
        try "# mine\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try writeDefaultConfig(to: path, force: false)) { error in
            XCTAssertEqual("\(error)", "\(path): already exists; not overwriting it (use --force to replace it)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "# mine\n")
        try writeDefaultConfig(to: path, force: true)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), Config.defaultConfig.renderYAML())
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testLoadNamedFileThatDoesNotExistIsAClearError() {
        let path = directory + "/missing.yaml"
        XCTAssertThrowsError(try Config.load(path: path, environment: [:])) { error in
            XCTAssertEqual("\(error)", "\(path): config file not found; create one with `docker-sync writeConfig -o \(path)`")
        }
    }

    func testSearchTakesTheFirstExistingFile() throws {
        let first = directory + "/a.yaml", second = directory + "/b.yaml"
        try "sync:\n  maxerrors: 2\n".write(toFile: second, atomically: true, encoding: .utf8)
        let loaded = try Config.load(path: nil, environment: [:], searchPaths: [first, second])
        XCTAssertEqual(loaded.path, second)
        XCTAssertEqual(loaded.config.sync.maxErrors, 2)
        try "sync:\n  maxerrors: 1\n".write(toFile: first, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Config.load(path: nil, environment: [:], searchPaths: [first, second]).config.sync.maxErrors, 1)
    }

    func testSearchFindingNothingSaysWhereItLooked() {
        let paths = [directory + "/a.yaml", directory + "/b.yaml"]
        XCTAssertThrowsError(try Config.load(path: nil, environment: [:], searchPaths: paths)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("looked for \(paths[0]) and \(paths[1])"), text)
            XCTAssertTrue(text.contains("docker-sync writeConfig"), text)
        }
    }

    func testDefaultSearchPathsAreCurrentDirectoryThenHome() {
        XCTAssertEqual(Config.defaultSearchPaths(environment: ["HOME": "/home/me"]),
                       ["./config.yaml", "/home/me/.docker-sync/config.yaml"])
    }

    func testErrorsFromAFileNameThatFile() throws {
        let path = directory + "/bad.yaml"
        try "sync:\n  interval: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Config.load(path: path, environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):2:13: sync.interval: expected a duration"), "\(error)")
        }
    }
}
