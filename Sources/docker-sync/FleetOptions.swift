import ArgumentParser
import Config
import Fleet
import Foundation
import Logging

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
        var config = try loadConfig(self.config, required: configRequired)
        if let url = redis ?? ProcessInfo.processInfo.environment["DOCKER_SYNC_REDIS_URL"], !url.isEmpty {
            config.redis.url = url
        }
        guard !config.redis.isEmbedded else {
            throw CommandFailure("no Redis configured: set redis.url in the config, pass --redis URL or set DOCKER_SYNC_REDIS_URL")
        }
        return config
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
