import XCTest
@testable import Config

/// The original README's config blocks, verbatim: a user's existing file must load unchanged.
final class SeedConfigTests: XCTestCase {
    static let readmeDefault = """
    ecr:
      region: us-east-1
    logging:
      colors: true
      format: text
      level: INFO
      output: stdout
      timeformat: "15:04:05"
    sync:
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
          name: Docker Hub
          url: docker.io
    telemetry:
      enabled: false
      metrics:
        exporter: prometheus
        prometheus:
          address: 127.0.0.1:9090
          path: /metrics
        stdout:
          interval: 5s
    """

    func testReadmeDefaultConfigLoadsAndEqualsDefaultConfig() throws {
        let loaded = try Config.parse(yaml: Self.readmeDefault, environment: [:])
        XCTAssertEqual(loaded.warnings, [])
        XCTAssertEqual(loaded.config, Config.defaultConfig)
    }

    func testDefaultConfigHasTheReadmeValues() {
        let config = Config.defaultConfig
        XCTAssertEqual(config.ecr.region, "us-east-1")
        XCTAssertEqual(config.logging.colors, true)
        XCTAssertEqual(config.logging.format, .text)
        XCTAssertEqual(config.logging.level, .info)
        XCTAssertEqual(config.logging.output, .stdout)
        XCTAssertEqual(config.logging.timeFormat, "15:04:05")
        XCTAssertEqual(config.sync.images, [ImageConfig(source: "docker.io/library/ubuntu", targets: ["docker.io/kamushadenes/ubuntu"])])
        XCTAssertEqual(config.sync.interval.seconds, 300)
        XCTAssertEqual(config.sync.maxErrors, 5)
        XCTAssertEqual(config.sync.registries, [RegistryConfig(name: "Docker Hub", url: "docker.io", auth: RegistryAuth())])
        XCTAssertEqual(config.telemetry.enabled, false)
        XCTAssertEqual(config.telemetry.metrics.exporter, .prometheus)
        XCTAssertEqual(config.telemetry.metrics.prometheus.address, "127.0.0.1:9090")
        XCTAssertEqual(config.telemetry.metrics.prometheus.path, "/metrics")
        XCTAssertEqual(config.telemetry.metrics.stdout.interval, .seconds(5))
    }

    func testNewKeysHaveTheirDefaults() {
        let config = Config()
        XCTAssertEqual(config.sync.retry.attempts, 5)
        XCTAssertEqual(config.sync.retry.initialBackoff, .seconds(1))
        XCTAssertEqual(config.sync.retry.maxBackoff, .seconds(60))
        XCTAssertEqual(config.sync.concurrency.tags, 8)
        XCTAssertEqual(config.sync.concurrency.blobs, 8)
        XCTAssertEqual(config.sync.concurrency.perRegistry, 16)
        XCTAssertEqual(config.redis.url, "")
        XCTAssertTrue(config.redis.isEmbedded)
        XCTAssertEqual(config.redis.prefix, "docker-sync")
        XCTAssertEqual(config.redis.leaseTTL, .seconds(30))
        XCTAssertEqual(config.redis.deadLetters.max, 10_000)
        XCTAssertEqual(config.redis.deadLetters.maxAge, .hours(168))
    }

    func testReadmeAuthExamplesLoad() throws {
        let ecr = """
        sync:
          registries:
            - auth:
                helper: ecr
                password: ""
                token: ""
                username: ""
              name: ECR
              url: 123456789012.dkr.ecr.us-east-1.amazonaws.com
        """
        let registry = try Config.parse(yaml: ecr, environment: [:]).config.sync.registries.first
        XCTAssertEqual(registry?.auth.helper, "ecr")
        XCTAssertEqual(registry?.url, "123456789012.dkr.ecr.us-east-1.amazonaws.com")

        let gcr = """
        sync:
          registries:
            - auth:
                helper: ""
                password: "BASE64_ENCODED_JSON_KEY"
                token: ""
                username: "_json_key_base64"
              name: GCR / GAR
              url: gcr.io
        """
        let google = try Config.parse(yaml: gcr, environment: [:]).config.sync.registries.first
        XCTAssertEqual(google?.auth.username, "_json_key_base64")
        XCTAssertEqual(google?.auth.password, "BASE64_ENCODED_JSON_KEY")
        XCTAssertEqual(google?.name, "GCR / GAR")
    }

    /// The README's R2 and S3 snippets indent `registries:` between `images:` and its items,
    /// which is not valid YAML; their two halves are, and load.
    func testReadmeBucketSnippetsLoad() throws {
        let r2Images = """
        sync:
            images:
                - source: docker.io/library/ubuntu
                  targets:
                    - r2:f6934f56ce237241104dbe9302cee786:docker-sync-test:ubuntu # r2:<endpoint>:<bucket>:<image>
        """
        let r2Registries = """
        sync:
          registries:
                - auth:
                    helper: ""
                    password: "SECRET_ACCES_KEY"
                    token: ""
                    username: "ACCESS_KEY_ID"
                  name: R2
                  url: r2:f6934f56ce237241104dbe9302cee786:docker-sync-test # r2:<endpoint>:<bucket>
        """
        let images = try Config.parse(yaml: r2Images, environment: [:]).config.sync.images
        XCTAssertEqual(images.first?.targets, ["r2:f6934f56ce237241104dbe9302cee786:docker-sync-test:ubuntu"])
        let registries = try Config.parse(yaml: r2Registries, environment: [:]).config.sync.registries
        XCTAssertEqual(registries.first?.url, "r2:f6934f56ce237241104dbe9302cee786:docker-sync-test")
        XCTAssertEqual(registries.first?.auth.username, "ACCESS_KEY_ID")

        let s3 = """
        sync:
            images:
                - source: docker.io/library/ubuntu
                  targets:
                    - r3:us-east-1:docker-sync-test:ubuntu # s3:<region>:<bucket>:<image>
            registries:
                - auth:
                    helper: ""
                    password: "SECRET_ACCES_KEY"
                    token: ""
                    username: "ACCESS_KEY_ID"
                  name: S3
                  url: s3:us-east-1:docker-sync-test # s3:<region>:<bucket>
        """
        let config = try Config.parse(yaml: s3, environment: [:]).config
        XCTAssertEqual(config.sync.images.first?.targets, ["r3:us-east-1:docker-sync-test:ubuntu"])
        XCTAssertEqual(config.registry(forImage: "s3:us-east-1:docker-sync-test:ubuntu")?.name, "S3")
    }

    func testReadmeBucketSnippetAsPrintedIsASyntaxErrorWithPosition() {
        let asPrinted = """
        sync:
            images:
                - source: docker.io/library/ubuntu
                  targets:
                    - r2:f6934f56ce237241104dbe9302cee786:docker-sync-test:ubuntu # r2:<endpoint>:<bucket>:<image>
              registries:
                    - auth:
                        helper: ""
        """
        XCTAssertThrowsError(try Config.parse(yaml: asPrinted, environment: [:])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("config.yaml:6:"), text)
        }
    }
}
