import Config
import Foundation
import Logging
import Queue

/// Connects the fleet's roles to Redis as `redis.*` configures it.
public enum RedisFleet {
    public static func connect(_ config: RedisConfig, logger: Logger) async throws -> FleetBackend {
        let backend = try await RedisBackend.connect(
            url: config.url, prefix: config.prefix, leaseTTL: config.leaseTTL.duration,
            deadLetterMax: config.deadLetters.max, deadLetterMaxAge: config.deadLetters.maxAge.duration, logger: logger)
        return FleetBackend(queue: backend, control: backend, coordination: backend, outcomes: backend, reader: backend,
                            close: { await backend.close() })
    }

    /// The URL without its password, for messages.
    public static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return url.replacingCharacters(in: colon..<at, with: ":REDACTED")
    }
}
