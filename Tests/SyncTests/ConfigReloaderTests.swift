#if canImport(Glibc)
import Glibc
#endif
import Config
import Foundation
import Logging
@testable import Sync
import TestSupport
import XCTest

/// When a long-running process takes a new config: on a content change (not a touch), never a bad
/// one, and never losing what it runs with.
final class ConfigReloaderTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var path: String!
    private let log = CapturedLog()

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "reloader")
        path = directory.file("config.yaml")
    }

    private func yaml(images: [String], password: String = "first-password", extra: String = "") -> String {
        """
        sync:
          interval: 1h
          images:
        \(images.map { "    - {source: docker.io/library/\($0), targets: [registry.example.com/mirror/\($0)]}" }.joined(separator: "\n"))
          registries:
            - {name: mirror, url: registry.example.com, auth: {username: robot, password: \(password)}}
        \(extra)
        """
    }

    /// As a ConfigMap update does: a new file renamed over the old one.
    private func replace(with text: String) throws {
        let temporary = directory.file("incoming.yaml")
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        XCTAssertEqual(rename(temporary, path), 0)
    }

    private func reloader() throws -> ConfigReloader {
        let config = try Config.load(path: path, environment: [:]).config
        let logger = Logger(label: "reload") { _ in self.log }
        let makeSetup: ConfigReloader.Setup = { try SyncSetup(config: $0, environment: [:], logger: logger) }
        return ConfigReloader(path: path, config: config, setup: try makeSetup(config), environment: [:], logger: logger,
                              makeSetup: makeSetup)
    }

    func testARenamedInNewFileIsTakenAndItsChangesLoggedInOneLine() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        try replace(with: yaml(images: ["alpine", "redis"]))
        let live = try XCTUnwrap(reloader.check())
        XCTAssertEqual(live.generation, 1)
        XCTAssertEqual(live.setup.images.map(\.source), ["docker.io/library/alpine", "docker.io/library/redis"])
        XCTAssertEqual(reloader.current.generation, 1)
        XCTAssertEqual(log.lines, ["info: config reloaded from \(path!): sync.images: added docker.io/library/redis"])
    }

    func testTheSameContentRewrittenIsNoChange() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        try replace(with: yaml(images: ["alpine"]))
        XCTAssertNil(reloader.check())
        XCTAssertEqual(log.lines, [])
        XCTAssertEqual(reloader.current.generation, 0)
    }

    func testABrokenConfigIsRejectedOnceWithItsPositionAndTheLastGoodOneKept() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        try replace(with: "sync:\n  interval: soon\n")
        XCTAssertNil(reloader.check())
        XCTAssertNil(reloader.check(), "the same bad content is not parsed again")
        XCTAssertEqual(log.lines.count, 1, "\(log.lines)")
        XCTAssertTrue(log.lines[0].hasPrefix("error: config not reloaded, keeping the running one: \(path!):2:13: sync.interval"),
                      log.lines[0])
        XCTAssertEqual(reloader.current.setup.images.map(\.source), ["docker.io/library/alpine"])

        try replace(with: yaml(images: ["redis"]))
        XCTAssertEqual(reloader.check()?.setup.images.map(\.source), ["docker.io/library/redis"])
    }

    func testAConfigThatCannotBeSetUpIsRejected() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        try replace(with: yaml(images: ["alpine"]).replacingOccurrences(of: "password: first-password", with: "helper: gcr"))
        XCTAssertNil(reloader.check())
        XCTAssertTrue(log.lines.last?.contains("unknown credential helper \"gcr\"") == true, "\(log.lines)")
        XCTAssertEqual(reloader.current.generation, 0)
    }

    /// A ConfigMap and the Secret holding AWS keys are mounted separately and land apart: a config
    /// adding `helper: ecr` that arrives first cannot be set up yet. It is tried again at each check
    /// (its error logged once) and taken when the keys appear, not left aside until the next edit.
    func testAConfigThatCannotBeSetUpYetIsTakenOnceWhatItLacksAppears() throws {
        try replace(with: yaml(images: ["alpine"]))
        let credentials = directory.file("aws-credentials")
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_REGION": "eu-west-1"]
        let config = try Config.load(path: path, environment: [:]).config
        let logger = Logger(label: "reload") { _ in self.log }
        let makeSetup: ConfigReloader.Setup = { try SyncSetup(config: $0, environment: environment, logger: logger) }
        let reloader = ConfigReloader(path: path, config: config, setup: try makeSetup(config), environment: [:], logger: logger,
                                      makeSetup: makeSetup)
        try replace(with: yaml(images: ["alpine"]).replacingOccurrences(of: "auth: {username: robot, password: first-password}",
                                                                        with: "auth: {helper: ecr}"))
        XCTAssertNil(reloader.check())
        XCTAssertNil(reloader.check())
        XCTAssertEqual(log.lines.filter { $0.contains("no AWS credentials") }.count, 1, "\(log.lines)")

        try "[default]\naws_access_key_id = AKIDLATE\naws_secret_access_key = late-secret\n"
            .write(toFile: credentials, atomically: true, encoding: .utf8)
        let live = try XCTUnwrap(reloader.check(), "\(log.lines)")
        XCTAssertEqual(live.config.sync.registries.first?.auth.helper, "ecr")
        XCTAssertTrue(log.lines.last?.contains("credentials of registry.example.com changed") == true, "\(log.lines)")
    }

    func testAMissingFileIsReportedOnceAndLookedForAgain() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        try FileManager.default.removeItem(atPath: path)
        XCTAssertNil(reloader.check())
        XCTAssertNil(reloader.check())
        XCTAssertEqual(log.lines.filter { $0.contains("is missing") }.count, 1, "\(log.lines)")
        try replace(with: yaml(images: ["redis"]))
        XCTAssertNotNil(reloader.check())
    }

    func testRegistriesAreRebuiltOnlyWhenTheirPartChangedAndSecretsNeverLogged() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        let first = reloader.current.setup.registries
        try replace(with: yaml(images: ["alpine", "redis"]))
        XCTAssertTrue(try XCTUnwrap(reloader.check()).setup.registries === first, "an unrelated edit keeps tokens and connections")

        try replace(with: yaml(images: ["alpine", "redis"], password: "rotated-password"))
        let rotated = try XCTUnwrap(reloader.check())
        XCTAssertFalse(rotated.setup.registries === first)
        XCTAssertEqual(log.lines.last, "info: config reloaded from \(path!): credentials of registry.example.com changed")
        XCTAssertFalse(log.lines.joined().contains("password"), "\(log.lines)")
    }

    func testRestartOnlyKeysAreWarnedAboutAndKeepTheirRunningValue() throws {
        try replace(with: yaml(images: ["alpine"], extra: "redis:\n  prefix: first"))
        let reloader = try reloader()
        try replace(with: yaml(images: ["alpine", "redis"], extra: "redis:\n  prefix: second"))
        let live = try XCTUnwrap(reloader.check())
        XCTAssertEqual(live.config.redis.prefix, "first")
        XCTAssertTrue(log.lines.contains("warning: config reload: redis.prefix changed, which needs a restart; keeping the running value"),
                      "\(log.lines)")
    }

    func testAHangupReloadsEvenWithoutAChange() throws {
        try replace(with: yaml(images: ["alpine"]))
        let reloader = try reloader()
        XCTAssertNil(reloader.check(.hangup))
        XCTAssertEqual(log.lines, ["info: config reloaded from \(path!) on SIGHUP: nothing to apply"])
    }
}

/// Keeps every line logged through it as `level: message`.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [String] = []
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    var lines: [String] { lock.withLock { captured } }

    func log(event: LogEvent) {
        lock.withLock { captured.append("\(event.level): \(event.message)") }
    }
}
