import XCTest
@testable import Config

final class ConfigKeyTests: XCTestCase {
    func testCamelCaseKeysOfTheGoCodeLoad() throws {
        let yaml = """
        logging:
          timeFormat: "2006-01-02"
        sync:
          maxErrors: 7
          images:
            - source: docker.io/library/alpine
              targets: [ghcr.io/me/alpine]
              mutableTags: [latest]
              ignoredTags: [edge]
              tags: ["3.19"]
              purge: true
          retry:
            initialBackoff: 2s
            maxBackoff: 1m
          concurrency:
            perRegistry: 4
        redis:
          leaseTTL: 1m
          deadLetters:
            maxAge: 24h
        """
        let loaded = try Config.parse(yaml: yaml, environment: [:])
        XCTAssertEqual(loaded.warnings, [])
        let config = loaded.config
        XCTAssertEqual(config.logging.timeFormat, "2006-01-02")
        XCTAssertEqual(config.sync.maxErrors, 7)
        XCTAssertEqual(config.sync.images, [ImageConfig(source: "docker.io/library/alpine", targets: ["ghcr.io/me/alpine"],
                                                        tags: ["3.19"], mutableTags: ["latest"], ignoredTags: ["edge"], purge: true)])
        XCTAssertEqual(config.sync.retry.initialBackoff, .seconds(2))
        XCTAssertEqual(config.sync.retry.maxBackoff, .minutes(1))
        XCTAssertEqual(config.sync.concurrency.perRegistry, 4)
        XCTAssertEqual(config.redis.leaseTTL, .minutes(1))
        XCTAssertEqual(config.redis.deadLetters.maxAge, .hours(24))
    }

    func testLowercaseAndOddlyCasedKeysLoadTheSame() throws {
        let lower = "sync:\n  maxerrors: 7\n  images:\n    - source: a\n      targets: [b]\n      mutabletags: [latest]\n"
        let shouty = "SYNC:\n  MaxErrors: 7\n  Images:\n    - SOURCE: a\n      Targets: [b]\n      MUTABLETAGS: [latest]\n"
        let a = try Config.parse(yaml: lower, environment: [:])
        let b = try Config.parse(yaml: shouty, environment: [:])
        XCTAssertEqual(a.config, b.config)
        XCTAssertEqual(a.config.sync.images.first?.mutableTags, ["latest"])
        XCTAssertEqual(b.warnings, [])
    }

    func testAbsentKeysKeepTheirDefaultsAndEmptyFileIsAllDefaults() throws {
        XCTAssertEqual(try Config.parse(yaml: "", environment: [:]).config, Config())
        XCTAssertEqual(try Config.parse(yaml: "sync:\n", environment: [:]).config, Config())
        let partial = try Config.parse(yaml: "logging:\n  level: debug\n", environment: [:]).config
        var expected = Config()
        expected.logging.level = .debug
        XCTAssertEqual(partial, expected)
    }

    func testLogLevelsInAnyCase() throws {
        let cases: [(String, LogLevel)] = [("trace", .trace), ("DEBUG", .debug), ("Info", .info), ("warn", .warn),
                                           ("WARNING", .warn), ("error", .error), ("Fatal", .fatal), ("PANIC", .panic)]
        for (text, level) in cases {
            XCTAssertEqual(try Config.parse(yaml: "logging:\n  level: \(text)\n", environment: [:]).config.logging.level, level)
        }
    }

    func testLoggingOutputAndEnums() throws {
        let config = try Config.parse(yaml: """
        logging:
          output: /var/log/docker-sync.log
          format: JSON
        telemetry:
          enabled: true
          metrics:
            exporter: stdout
        """, environment: [:]).config
        XCTAssertEqual(config.logging.output, .file("/var/log/docker-sync.log"))
        XCTAssertEqual(config.logging.format, .json)
        XCTAssertEqual(config.telemetry.enabled, true)
        XCTAssertEqual(config.telemetry.metrics.exporter, .stdout)
        XCTAssertEqual(try Config.parse(yaml: "logging:\n  output: stderr\n", environment: [:]).config.logging.output, .stderr)
    }

    func testQuotedBoolsAndNumbersAreAcceptedAsViperDoes() throws {
        let config = try Config.parse(yaml: "telemetry:\n  enabled: \"true\"\nsync:\n  maxerrors: \"3\"\n", environment: [:]).config
        XCTAssertTrue(config.telemetry.enabled)
        XCTAssertEqual(config.sync.maxErrors, 3)
    }

    func testNumericPasswordStaysAString() throws {
        let yaml = "sync:\n  registries:\n    - url: r\n      auth:\n        password: 0123\n"
        XCTAssertEqual(try Config.parse(yaml: yaml, environment: [:]).config.sync.registries.first?.auth.password, "0123")
    }

    func testRegistryTransportKeys() throws {
        let yaml = "sync:\n  registries:\n    - name: local\n      url: localhost:5000\n      insecure: true\n      ca: /etc/ssl/local.pem\n"
        let registry = try Config.parse(yaml: yaml, environment: [:]).config.sync.registries.first
        XCTAssertEqual(registry?.insecure, true)
        XCTAssertEqual(registry?.ca, "/etc/ssl/local.pem")
    }

    func testBucketEntryTakesAnEndpoint() throws {
        let yaml = "sync:\n  registries:\n    - name: R2\n      url: r2:acct:bucket\n      endpoint: http://127.0.0.1:9000\n"
        let loaded = try Config.parse(yaml: yaml, environment: [:])
        XCTAssertEqual(loaded.config.sync.registries.first?.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(loaded.warnings, [])
        XCTAssertEqual(try Config.parse(yaml: loaded.config.renderYAML(), environment: [:]).config, loaded.config)
    }

    func testMergeKeysFillInRegistryFields() throws {
        let yaml = """
        sync:
          registries:
            - &hub
              name: Docker Hub
              url: docker.io
              auth: {username: me, password: secret}
            - <<: *hub
              name: Mirror
              url: mirror.example.com
        """
        let registries = try Config.parse(yaml: yaml, environment: [:]).config.sync.registries
        XCTAssertEqual(registries.map(\.name), ["Docker Hub", "Mirror"])
        XCTAssertEqual(registries[1].url, "mirror.example.com")
        XCTAssertEqual(registries[1].auth.username, "me")
    }

    func testUnknownKeyWarnsWithClosestKnownKey() throws {
        let yaml = "sync:\n  maxerror: 3\n  images: []\nlogging:\n  levl: info\nfoo: 1\n"
        let loaded = try Config.parse(yaml: yaml, environment: [:])
        XCTAssertEqual(loaded.config.sync.maxErrors, 5)
        let text = loaded.warnings.map(\.description)
        XCTAssertEqual(text.count, 3, "\(text)")
        XCTAssertEqual(text[0], "config.yaml:2:3: unknown key 'maxerror' in 'sync', ignored — did you mean 'maxerrors'?")
        XCTAssertEqual(text[1], "config.yaml:5:3: unknown key 'levl' in 'logging', ignored — did you mean 'level'?")
        XCTAssertTrue(text[2].hasPrefix("config.yaml:6:1: unknown key 'foo' at the top level, ignored (known keys: ecr, logging"), text[2])
    }

    func testUnknownKeyInsideAListItemIsReported() throws {
        let yaml = "sync:\n  images:\n    - source: a\n      targets: [b]\n      mutable_tags: [latest]\n"
        let warnings = try Config.parse(yaml: yaml, environment: [:]).warnings
        XCTAssertEqual(warnings.map(\.description),
                       ["config.yaml:5:7: unknown key 'mutable_tags' in 'sync.images[0]', ignored — did you mean 'mutabletags'?"])
    }

    func testSuggestionDistance() {
        XCTAssertEqual(KeySuggestion.distance("kitten", "sitting"), 3)
        XCTAssertEqual(KeySuggestion.closest(to: "timeFormt", among: ["timeformat", "level"]), "timeformat")
        XCTAssertNil(KeySuggestion.closest(to: "zzzzzz", among: ["url", "name"]))
    }
}
