import ArgumentParser
import Config
import Fleet
import Foundation
import Logging
import Sync

/// Options every fleet role shares: where its config and its Redis are.
struct FleetOptions: ParsableArguments {
    @Option(help: "The config file (default: ./config.yaml, then ~/.docker-sync/config.yaml).")
    var config: String?

    @Option(help: "Redis URL, redis://[user:pass@]host:port/db (default: env DOCKER_SYNC_REDIS_URL, then redis.url).")
    var redis: String?

    /// The config (required or not) with the Redis URL resolved; fails when no Redis is configured.
    init() {}

    init(config: String?, redis: String?) {
        self.config = config
        self.redis = redis
    }

    func load(configRequired: Bool) throws -> Config {
        try loadFile(configRequired: configRequired).config
    }

    /// The config with the Redis URL resolved, and the file it came from (for reloads).
    func loadFile(configRequired: Bool) throws -> (config: Config, path: String?) {
        let (read, path) = try loadConfigFile(self.config, required: configRequired)
        let config = withRedisOverride(read)
        guard !config.redis.isEmbedded else {
            throw CommandFailure("no Redis configured: set redis.url in the config, pass --redis URL or set DOCKER_SYNC_REDIS_URL")
        }
        return (config, path)
    }

    /// `--redis`, else `DOCKER_SYNC_REDIS_URL`, wins over `redis.url` (of the first config and of every reload).
    func withRedisOverride(_ config: Config) -> Config {
        var config = config
        if let url = redis ?? ProcessInfo.processInfo.environment["DOCKER_SYNC_REDIS_URL"], !url.isEmpty {
            config.redis.url = url
        }
        return config
    }

    /// Watches `path` for changes; every config read gets the same Redis URL override as the first.
    func reloader(_ config: Config, path: String?, logger: Logger,
                  setup: @escaping ConfigReloader.Setup) throws -> ConfigReloader {
        let initial: SyncSetup
        do {
            initial = try setup(config)
        } catch let error as CredentialHelperError {
            throw CommandFailure("\(error)")
        }
        return ConfigReloader(path: path, config: config, setup: initial, prepare: { [self] in withRedisOverride($0) },
                              logger: logger, makeSetup: setup)
    }

    func backend(_ config: Config, logger: Logger) async throws -> FleetBackend {
        do {
            return try await RedisFleet.connect(config.redis, logger: logger)
        } catch {
            throw CommandFailure("cannot use Redis at \(RedisFleet.redacted(config.redis.url)): \(error)", status: 1)
        }
    }
}

/// Runs a role's body, turning failures into an error line and an exit status.
func runRole(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CommandFailure {
        FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
        throw failure.exit()
    } catch let stop as FleetStop {
        FileHandle.standardError.write(Data("error: \(stop)\n".utf8))
        throw ExitCode(1)
    }
}
