import Config
import XCTest

/// What a reload reports and applies: live changes by name, restart-only keys kept, no secret shown.
final class ConfigChangesTests: XCTestCase {
    private func config(_ yaml: String) throws -> Config {
        try Config.parse(yaml: yaml, environment: [:]).config
    }

    private let base = """
        sync:
          interval: 5m
          maxerrors: 5
          images:
            - source: docker.io/library/alpine
              targets: [registry.example.com/mirror/alpine]
          registries:
            - name: internal
              url: registry.example.com
              auth: {username: robot, password: old-secret-password}
        redis:
          url: redis://:redis-secret@redis:6379/0
        """

    func testAnIdenticalConfigChangesNothing() throws {
        let changes = ConfigChanges(from: try config(base), to: try config(base))
        XCTAssertTrue(changes.isEmpty)
        XCTAssertFalse(changes.registriesChanged)
    }

    func testEachLiveChangeIsNamedWithItsOldAndNewValue() throws {
        let edited = base
            .replacingOccurrences(of: "interval: 5m", with: "interval: 30s\n  retry: {attempts: 2}\n  concurrency: {tags: 3}")
            .replacingOccurrences(of: "maxerrors: 5", with: "maxerrors: 0")
            + "\nlogging:\n  level: debug\n"
        let changes = ConfigChanges(from: try config(base), to: try config(edited))
        XCTAssertEqual(changes.applied, [
            "sync.interval 5m → 30s", "sync.maxerrors 5 → 0", "sync.retry.attempts 5 → 2",
            "sync.concurrency.tags 8 → 3", "logging.level INFO → DEBUG",
        ])
        XCTAssertTrue(changes.registriesChanged, "the HTTP client's threads follow the concurrency")
        XCTAssertEqual(changes.needRestart, [])
    }

    func testImagesAreNamedBySourceAsAddedRemovedOrChanged() throws {
        let edited = """
            sync:
              interval: 5m
              images:
                - source: docker.io/library/alpine
                  targets: [registry.example.com/mirror/alpine, registry.example.com/other/alpine]
                - source: docker.io/library/redis
                  targets: [registry.example.com/mirror/redis]
            """
        let old = """
            sync:
              interval: 5m
              images:
                - source: docker.io/library/alpine
                  targets: [registry.example.com/mirror/alpine]
                - source: docker.io/library/nginx
                  targets: [registry.example.com/mirror/nginx]
            """
        let changes = ConfigChanges(from: try config(old), to: try config(edited))
        XCTAssertEqual(changes.applied, [
            "sync.images: added docker.io/library/redis", "sync.images: removed docker.io/library/nginx",
            "sync.images: changed docker.io/library/alpine",
        ])
        XCTAssertFalse(changes.registriesChanged, "the registries' clients, tokens and connections are kept")
    }

    /// One source mirrored by two entries (other targets or tags) is common; an edit elsewhere must not
    /// report it as changed, and a change to either entry names it once.
    func testASourceListedTwiceIsChangedOnlyWhenOneOfItsEntriesIs() throws {
        let twice = """
            sync:
              images:
                - source: docker.io/library/alpine
                  targets: [registry.example.com/mirror/alpine]
                - source: docker.io/library/alpine
                  targets: [registry.example.com/edge/alpine]
                  tags: [edge]
            """
        let unchanged = ConfigChanges(from: try config(twice), to: try config(twice + "\n  maxerrors: 3\n"))
        XCTAssertEqual(unchanged.applied, ["sync.maxerrors 5 → 3"])
        let edited = ConfigChanges(from: try config(twice), to: try config(twice.replacingOccurrences(of: "[edge]", with: "[edge, beta]")))
        XCTAssertEqual(edited.applied, ["sync.images: changed docker.io/library/alpine"])
        let added = ConfigChanges(from: try config(base), to: try config(base.replacingOccurrences(of: "  registries:", with: """
                - source: docker.io/library/redis
                  targets: [registry.example.com/a/redis]
                - source: docker.io/library/redis
                  targets: [registry.example.com/b/redis]
              registries:
            """)))
        XCTAssertEqual(added.applied, ["sync.images: added docker.io/library/redis"])
    }

    func testChangedCredentialsAreNamedByRegistryNeverShown() throws {
        let edited = base.replacingOccurrences(of: "old-secret-password", with: "new-secret-password")
            .replacingOccurrences(of: "username: robot", with: "username: robot2")
        let changes = ConfigChanges(from: try config(base), to: try config(edited))
        XCTAssertEqual(changes.applied, ["credentials of registry.example.com changed"])
        XCTAssertTrue(changes.registriesChanged)
        let everything = (changes.applied + changes.needRestart).joined(separator: "\n")
        for secret in ["old-secret-password", "new-secret-password", "robot2"] {
            XCTAssertFalse(everything.contains(secret), everything)
        }
    }

    func testRegistryTransportChangesAreNamedAndRebuildTheClients() throws {
        let edited = base.replacingOccurrences(of: "url: registry.example.com\n",
                                               with: "url: registry.example.com\n      insecure: true\n      ca: /etc/ca.pem\n")
            + "\n" + "ecr:\n  region: eu-west-1\n"
        let changes = ConfigChanges(from: try config(base), to: try config(edited))
        XCTAssertEqual(changes.applied, [
            "sync.registries registry.example.com: insecure false → true", "sync.registries registry.example.com: ca changed",
            "ecr.region \"us-east-1\" → \"eu-west-1\"",
        ])
        XCTAssertTrue(changes.registriesChanged)
    }

    func testRestartOnlyKeysAreNamedWithoutValuesAndKeptByAReload() throws {
        let edited = base.replacingOccurrences(of: "redis-secret@redis", with: "other-secret@redis2")
            + "\n  prefix: other\ntelemetry:\n  enabled: true\nlogging:\n  format: json\n  level: warn\n"
        let old = try config(base), new = try config(edited)
        let changes = ConfigChanges(from: old, to: new)
        XCTAssertEqual(changes.needRestart, ["redis.url", "redis.prefix", "telemetry", "logging.format"])
        XCTAssertEqual(changes.applied, ["logging.level INFO → WARN"])
        XCTAssertFalse(changes.needRestart.joined().contains("secret"))

        let applied = new.keepingRestartOnlyKeys(of: old)
        XCTAssertEqual(applied.redis, old.redis)
        XCTAssertEqual(applied.telemetry, old.telemetry)
        XCTAssertEqual(applied.logging.format, old.logging.format)
        XCTAssertEqual(applied.logging.level, .warn, "the level is live")
    }
}
