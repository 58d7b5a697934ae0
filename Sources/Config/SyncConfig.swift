/// `sync`: what to copy, how often, and with what limits.
public struct SyncConfig: Sendable, Equatable {
    public var images: [ImageConfig] = []
    /// Time between sync cycles.
    public var interval = GoDuration.minutes(5)
    /// Failures tolerated before the sync stops (and the daemon exits).
    public var maxErrors = 5
    public var registries: [RegistryConfig] = []
    public var retry = RetryConfig()
    public var concurrency = ConcurrencyConfig()

    public init() {}
}

/// One entry of `sync.images`: a source repository and where to copy it.
public struct ImageConfig: Sendable, Equatable {
    /// Source repository, e.g. `docker.io/library/ubuntu`.
    public var source: String
    /// Target repositories; registry references or `r2:<account>:<bucket>:<image>` /
    /// `s3:<region>:<bucket>:<image>` bucket targets.
    public var targets: [String]
    /// Only these tags, when non-empty; otherwise every tag of the source.
    public var tags: [String]
    /// Tags that move (e.g. `latest`), re-checked on every cycle.
    public var mutableTags: [String]
    /// Tags never copied.
    public var ignoredTags: [String]
    /// Delete target tags that are gone from the source.
    public var purge: Bool

    public init(
        source: String, targets: [String], tags: [String] = [], mutableTags: [String] = [],
        ignoredTags: [String] = [], purge: Bool = false
    ) {
        self.source = source
        self.targets = targets
        self.tags = tags
        self.mutableTags = mutableTags
        self.ignoredTags = ignoredTags
        self.purge = purge
    }
}

/// `sync.retry`: capped exponential backoff for failed jobs.
public struct RetryConfig: Sendable, Equatable {
    /// Tries per job, the first included.
    public var attempts = 5
    public var initialBackoff = GoDuration.seconds(1)
    public var maxBackoff = GoDuration.seconds(60)

    public init() {}
}

/// `sync.concurrency`: parallelism limits.
public struct ConcurrencyConfig: Sendable, Equatable {
    /// Tags of one image synced at once.
    public var tags = 8
    /// Blobs of one tag copied at once.
    public var blobs = 8
    /// Requests in flight to one registry, across the whole fleet.
    public var perRegistry = 16

    public init() {}
}
