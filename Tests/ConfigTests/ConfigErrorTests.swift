import XCTest
@testable import Config

/// Every wrong value is reported at its file:line:column with what was expected.
final class ConfigErrorTests: XCTestCase {
    private func error(_ yaml: String, file: String = "config.yaml") -> String {
        do {
            _ = try Config.parse(yaml: yaml, file: file, environment: [:])
            return "no error"
        } catch {
            XCTAssertTrue(error is ConfigError, "\(type(of: error))")
            return "\(error)"
        }
    }

    func testBadDuration() {
        XCTAssertEqual(error("sync:\n  interval: 5 minutes\n"),
                       "config.yaml:2:13: sync.interval: expected a duration like 5m or 1h30m, got \"5 minutes\"")
        XCTAssertEqual(error("sync:\n  interval: 300\n"),
                       "config.yaml:2:13: sync.interval: expected a duration like 5m or 1h30m, got \"300\" (add a unit: ns, us, ms, s, m or h)")
        XCTAssertEqual(error("sync:\n  interval: 0s\n"),
                       "config.yaml:2:13: sync.interval: expected a duration greater than zero, got \"0s\"")
        XCTAssertEqual(error("telemetry:\n  metrics:\n    stdout:\n      interval: [5s]\n"),
                       "config.yaml:4:17: telemetry.metrics.stdout.interval: expected a duration like 5m or 1h30m, got a list")
        XCTAssertEqual(error("redis:\n  deadletters:\n    maxage: forever\n"),
                       "config.yaml:3:13: redis.deadletters.maxage: expected a duration like 5m or 1h30m, got \"forever\"")
    }

    func testBadBool() {
        XCTAssertEqual(error("logging:\n  colors: maybe\n"), "config.yaml:2:11: logging.colors: expected true or false, got \"maybe\"")
        XCTAssertEqual(error("sync:\n  images:\n    - source: a\n      targets: [b]\n      purge: {}\n"),
                       "config.yaml:5:14: sync.images[0].purge: expected true or false, got a mapping")
        XCTAssertEqual(error("telemetry:\n  enabled: 2\n"), "config.yaml:2:12: telemetry.enabled: expected true or false, got \"2\"")
    }

    func testBadEnums() {
        XCTAssertEqual(error("logging:\n  format: xml\n"), "config.yaml:2:11: logging.format: expected text or json, got \"xml\"")
        XCTAssertEqual(error("logging:\n  level: verbose\n"),
                       "config.yaml:2:10: logging.level: expected one of trace, debug, info, warn, error, fatal, panic, disabled, got \"verbose\"")
        XCTAssertEqual(error("telemetry:\n  metrics:\n    exporter: otlp\n"),
                       "config.yaml:3:15: telemetry.metrics.exporter: expected prometheus or stdout, got \"otlp\"")
    }

    func testBadNumbers() {
        XCTAssertEqual(error("sync:\n  maxerrors: five\n"), "config.yaml:2:14: sync.maxerrors: expected a whole number, got \"five\"")
        XCTAssertEqual(error("sync:\n  maxerrors: -1\n"), "config.yaml:2:14: sync.maxerrors: expected zero or more, got \"-1\"")
        XCTAssertEqual(error("sync:\n  concurrency:\n    blobs: 0\n"),
                       "config.yaml:3:12: sync.concurrency.blobs: expected a number of at least 1, got \"0\"")
        XCTAssertEqual(error("sync:\n  retry:\n    attempts: 1.5\n"),
                       "config.yaml:3:15: sync.retry.attempts: expected a whole number, got \"1.5\"")
    }

    func testBadLists() {
        XCTAssertEqual(error("sync:\n  images:\n    - source: a\n      targets: b\n"),
                       "config.yaml:4:16: sync.images[0].targets: expected a list of strings, got \"b\"")
        XCTAssertEqual(error("sync:\n  images:\n    - source: a\n      targets:\n        - b\n        - {c: d}\n"),
                       "config.yaml:6:11: sync.images[0].targets[1]: expected a list of strings, but this item is a mapping")
        XCTAssertEqual(error("sync:\n  images: docker.io/library/ubuntu\n"),
                       "config.yaml:2:11: sync.images: expected a list, got a scalar")
        XCTAssertEqual(error("sync:\n  - a\n"), "config.yaml:2:3: sync: expected a mapping of keys to values, got a list")
        XCTAssertEqual(error("- a\n"), "config.yaml:1:1: expected a mapping of keys to values, got a list")
    }

    func testImageNeedsSourceAndTargets() {
        XCTAssertEqual(error("sync:\n  images:\n    - targets: [b]\n"),
                       "config.yaml:3:7: sync.images[0]: each image needs a source (the repository to copy from)")
        XCTAssertEqual(error("sync:\n  images:\n    - source: a\n      targets: [b]\n    - source: docker.io/x\n"),
                       "config.yaml:5:7: sync.images[1]: image docker.io/x needs at least one target under 'targets:'")
        XCTAssertEqual(error("sync:\n  images:\n    - source: a\n      targets: []\n"),
                       "config.yaml:3:7: sync.images[0]: image a needs at least one target under 'targets:'")
    }

    func testRegistryNeedsAURL() {
        XCTAssertEqual(error("sync:\n  registries:\n    - name: Docker Hub\n      url: \"\"\n"),
                       "config.yaml:3:7: sync.registries[0]: each registry needs a url, e.g. docker.io, ghcr.io/org or r2:<account>:<bucket>")
    }

    func testBackoffOrder() {
        XCTAssertEqual(error("sync:\n  retry:\n    initialbackoff: 2m\n    maxbackoff: 1m\n"),
                       "config.yaml:4:17: sync.retry.maxbackoff: maxbackoff (1m) must not be shorter than initialbackoff (2m)")
    }

    func testDuplicateKeysInAnyCaseAreAnError() {
        XCTAssertEqual(error("sync:\n  maxerrors: 1\n  maxErrors: 2\n"),
                       "config.yaml:3:3: sync.maxerrors: duplicate key 'maxErrors' (first set as 'maxerrors' at line 2, column 3)")
    }

    func testSyntaxErrorGivesLibyamlsLineColumnAndProblem() {
        XCTAssertEqual(error("sync:\n  interval: 5m\n  maxerrors: 5: 6\n", file: "/etc/docker-sync/config.yaml"),
                       "/etc/docker-sync/config.yaml:3:15: mapping values are not allowed in this context")
        let tab = error("sync:\n\tinterval: 5m\n")
        XCTAssertTrue(tab.hasPrefix("config.yaml:2:1: found character that cannot start any token"), tab)
    }

    func testErrorCarriesItsPartsForCallers() throws {
        do {
            _ = try Config.parse(yaml: "logging:\n  format: xml\n", file: "c.yaml", environment: [:])
            XCTFail("expected an error")
        } catch let error as ConfigError {
            XCTAssertEqual(error.mark?.file, "c.yaml")
            XCTAssertEqual(error.mark?.line, 2)
            XCTAssertEqual(error.mark?.column, 11)
            XCTAssertEqual(error.keyPath, "logging.format")
            XCTAssertEqual(error.localizedDescription, error.description)
        }
    }
}
