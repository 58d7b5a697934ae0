/// `redis`: the queue shared by a fleet of docker-sync processes.
public struct RedisConfig: Sendable, Equatable {
    /// `redis://[user:password@]host:port[/db]`; empty runs everything in one process
    /// on the embedded in-memory queue.
    public var url = ""
    /// Prefix of every key, so several deployments can share one Redis.
    public var prefix = "docker-sync"
    /// How long a taken job stays leased to its worker without renewal.
    public var leaseTTL = GoDuration.seconds(30)
    public var deadLetters = DeadLetterConfig()

    public init() {}

    /// Whether to use the embedded in-memory queue instead of Redis.
    public var isEmbedded: Bool { url.isEmpty }
}

/// `redis.deadletters`: bounds of the set of jobs that ran out of attempts.
public struct DeadLetterConfig: Sendable, Equatable {
    /// Most dead jobs kept; the oldest are dropped first.
    public var max = 10_000
    /// Dead jobs older than this are dropped.
    public var maxAge = GoDuration.hours(168)

    public init() {}
}
