/// What differs between the config a long-running process runs with and the one it re-read,
/// split into what it can apply live and what only a restart applies. Descriptions never
/// hold a secret: a changed password or token reads "credentials of <url> changed".
public struct ConfigChanges: Sendable, Equatable {
    /// One entry per live change, e.g. `sync.interval 5m → 10s`, `sync.images: added docker.io/library/redis`.
    public private(set) var applied: [String] = []
    /// Keys that changed but keep their running value until a restart, e.g. `redis.url`.
    public private(set) var needRestart: [String] = []
    /// Whether the registries' clients (credentials, TLS, helpers, HTTP threads) must be rebuilt.
    public private(set) var registriesChanged = false

    public init(from old: Config, to new: Config) {
        compareSync(old.sync, new.sync)
        if old.ecr != new.ecr {
            applied.append("ecr.region \(old.ecr.region.debugDescription) → \(new.ecr.region.debugDescription)")
            registriesChanged = true
        }
        if old.logging.level != new.logging.level {
            applied.append("logging.level \(old.logging.level.configValue) → \(new.logging.level.configValue)")
        }
        compareRestartOnly(old, new)
    }

    public var isEmpty: Bool { applied.isEmpty && needRestart.isEmpty }

    private mutating func compareSync(_ old: SyncConfig, _ new: SyncConfig) {
        applied += Self.imageChanges(old.images, new.images)
        if old.interval != new.interval { applied.append("sync.interval \(old.interval) → \(new.interval)") }
        if old.maxErrors != new.maxErrors { applied.append("sync.maxerrors \(old.maxErrors) → \(new.maxErrors)") }
        let retry = [("attempts", "\(old.retry.attempts)", "\(new.retry.attempts)"),
                     ("initialbackoff", "\(old.retry.initialBackoff)", "\(new.retry.initialBackoff)"),
                     ("maxbackoff", "\(old.retry.maxBackoff)", "\(new.retry.maxBackoff)")]
        for (key, before, after) in retry where before != after { applied.append("sync.retry.\(key) \(before) → \(after)") }
        let concurrency = [("tags", old.concurrency.tags, new.concurrency.tags), ("blobs", old.concurrency.blobs, new.concurrency.blobs),
                           ("perregistry", old.concurrency.perRegistry, new.concurrency.perRegistry)]
        for (key, before, after) in concurrency where before != after {
            applied.append("sync.concurrency.\(key) \(before) → \(after)")
            registriesChanged = true  // the HTTP client's transfer threads follow the concurrency
        }
        let registries = Self.registryChanges(old.registries, new.registries)
        applied += registries
        if !registries.isEmpty || old.registries != new.registries { registriesChanged = true }
    }

    /// Images are named by their source, once each; a source whose entries' targets or tag lists
    /// changed is "changed". A source may have several entries (other targets, other tags): they are
    /// compared together, not each against the first.
    static func imageChanges(_ old: [ImageConfig], _ new: [ImageConfig]) -> [String] {
        var changes: [String] = []
        let before = Dictionary(grouping: old, by: \.source)
        let after = Dictionary(grouping: new, by: \.source)
        let newSources = uniqueSources(new), oldSources = uniqueSources(old)
        for source in newSources where before[source] == nil { changes.append("sync.images: added \(source)") }
        for source in oldSources where after[source] == nil { changes.append("sync.images: removed \(source)") }
        for source in newSources {
            if let previous = before[source], previous != after[source] { changes.append("sync.images: changed \(source)") }
        }
        if changes.isEmpty && old != new { changes.append("sync.images: reordered") }
        return changes
    }

    private static func uniqueSources(_ images: [ImageConfig]) -> [String] {
        var seen = Set<String>()
        return images.map(\.source).filter { seen.insert($0).inserted }
    }

    /// Registries are named by their url; the values of `auth` are never shown.
    static func registryChanges(_ old: [RegistryConfig], _ new: [RegistryConfig]) -> [String] {
        var changes: [String] = []
        let before = Dictionary(old.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        for registry in new where before[registry.url] == nil { changes.append("sync.registries: added \(registry.url)") }
        for registry in old where after[registry.url] == nil { changes.append("sync.registries: removed \(registry.url)") }
        for registry in new {
            guard let previous = before[registry.url] else { continue }
            if previous.auth != registry.auth { changes.append("credentials of \(registry.url) changed") }
            if previous.insecure != registry.insecure {
                changes.append("sync.registries \(registry.url): insecure \(previous.insecure) → \(registry.insecure)")
            }
            if previous.ca != registry.ca { changes.append("sync.registries \(registry.url): ca changed") }
            if previous.endpoint != registry.endpoint { changes.append("sync.registries \(registry.url): endpoint changed") }
            if previous.name != registry.name { changes.append("sync.registries \(registry.url): name changed") }
        }
        return changes
    }

    /// Keys only read at start-up: what they set up (the Redis connection, the metrics listener, the
    /// log output) lives as long as the process. Named, never shown: `redis.url` may hold a password.
    private mutating func compareRestartOnly(_ old: Config, _ new: Config) {
        let keys: [(String, Bool)] = [
            ("redis.url", old.redis.url != new.redis.url),
            ("redis.prefix", old.redis.prefix != new.redis.prefix),
            ("redis.leasettl", old.redis.leaseTTL != new.redis.leaseTTL),
            ("redis.deadletters", old.redis.deadLetters != new.redis.deadLetters),
            ("telemetry", old.telemetry != new.telemetry),
            ("logging.format", old.logging.format != new.logging.format),
            ("logging.output", old.logging.output != new.logging.output),
            ("logging.colors", old.logging.colors != new.logging.colors),
            ("logging.timeformat", old.logging.timeFormat != new.logging.timeFormat),
        ]
        needRestart = keys.filter(\.1).map(\.0)
    }
}

extension Config {
    /// This config with the keys that need a restart (`redis`, `telemetry`, the log output and its
    /// format) taken from `running`: what a reload applies.
    public func keepingRestartOnlyKeys(of running: Config) -> Config {
        var result = self
        result.redis = running.redis
        result.telemetry = running.telemetry
        let level = logging.level
        result.logging = running.logging
        result.logging.level = level
        return result
    }
}
