/// The whole docker-sync configuration: the original tool's `config.yaml` schema
/// (`ecr`, `logging`, `sync`, `telemetry`) plus `redis` and the new `sync` knobs for the fleet.
///
/// `Config()` holds the value of every key when it is absent from a file: the original's
/// defaults, with no images and no registries. `Config.defaultConfig` is what
/// `docker-sync writeConfig` writes: the same plus an example image and the Docker Hub registry.
public struct Config: Sendable, Equatable {
    public var ecr = ECRConfig()
    public var logging = LoggingConfig()
    public var redis = RedisConfig()
    public var sync = SyncConfig()
    public var telemetry = TelemetryConfig()

    public init(
        ecr: ECRConfig = ECRConfig(), logging: LoggingConfig = LoggingConfig(), redis: RedisConfig = RedisConfig(),
        sync: SyncConfig = SyncConfig(), telemetry: TelemetryConfig = TelemetryConfig()
    ) {
        self.ecr = ecr
        self.logging = logging
        self.redis = redis
        self.sync = sync
        self.telemetry = telemetry
    }

    /// The configuration of the original README's "default configuration looks like this".
    public static var defaultConfig: Config {
        var config = Config()
        config.sync.images = [ImageConfig(source: "docker.io/library/ubuntu", targets: ["docker.io/kamushadenes/ubuntu"])]
        config.sync.registries = [RegistryConfig(name: "Docker Hub", url: "docker.io")]
        return config
    }

    /// The registry whose `url` is the longest prefix of `reference` (see `SyncConfig.registry(forImage:)`).
    public func registry(forImage reference: String) -> RegistryConfig? {
        sync.registry(forImage: reference)
    }
}

/// `ecr`: settings for the `ecr` auth helper.
public struct ECRConfig: Sendable, Equatable {
    /// AWS region used when asking ECR for credentials.
    public var region = "us-east-1"

    public init(region: String = "us-east-1") {
        self.region = region
    }
}
