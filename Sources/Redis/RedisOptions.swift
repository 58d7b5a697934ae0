/// How a connection reaches the server and how patient it is when the server goes away.
public struct RedisOptions: Sendable {
    public var url: RedisURL
    /// Limit for establishing one TCP / unix connection.
    public var connectTimeout: Duration
    /// Limit for a reply to arrive. A blocking command (BLMOVE, BZPOPMIN, XREADGROUP BLOCK, ...)
    /// gets its block time added to this for its own reply, so it never times out while legitimately blocked.
    public var readTimeout: Duration
    /// How long a command waits, from the moment it is submitted, for a connection it can be sent
    /// on (reconnecting with `backoff`) before it fails with `RedisError.unavailable`.
    public var reconnectDeadline: Duration
    public var backoff: RedisBackoff
    /// Called on the connection's thread on each connect, failed connect and lost connection;
    /// for logs and metrics. Keep it quick.
    public var onEvent: (@Sendable (RedisConnectionEvent) -> Void)?

    public init(url: RedisURL, connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(10),
                reconnectDeadline: Duration = .seconds(30), backoff: RedisBackoff = RedisBackoff(),
                onEvent: (@Sendable (RedisConnectionEvent) -> Void)? = nil) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.reconnectDeadline = reconnectDeadline
        self.backoff = backoff
        self.onEvent = onEvent
    }

    /// Options for `url` with the defaults above.
    public init(url: String) throws {
        self.init(url: try RedisURL(url))
    }
}

/// Capped exponential backoff between reconnect attempts: `initial`, doubled each attempt up to `maximum`.
public struct RedisBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The pause after failed attempt number `attempt` (0-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let factor = 1 << min(attempt, 30)
        return min(initial * factor, maximum)
    }
}

/// What happened to a connection, for logs and metrics.
public enum RedisConnectionEvent: Sendable {
    case connected(endpoint: String)
    /// Attempt number `attempt` (0-based) to connect, or to run an idempotent command, failed;
    /// the next comes after `retryIn` unless the waiting command's deadline passes first.
    case retrying(endpoint: String, attempt: Int, reason: String, retryIn: Duration)
    /// An established connection broke; the next command reconnects.
    case disconnected(endpoint: String, reason: String)
}

extension Duration {
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
