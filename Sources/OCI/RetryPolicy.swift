/// Retries of one request: capped exponential backoff with full jitter for retryable failures,
/// and waits for rate limits that do not count as attempts (but are bounded in total).
/// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
public struct RetryPolicy: Sendable {
    /// Tries of a request in total, the first included; 1 means no retry.
    public var maxAttempts: Int
    /// Upper bound of the first retry's delay, in seconds; it doubles per retry.
    public var initialBackoff: Double
    /// Cap on the delay bound, in seconds.
    public var maxBackoff: Double
    /// Total seconds spent waiting on rate limits before giving up with the rate-limit error,
    /// so that the job layer can pause the registry instead.
    public var maxRateLimitWait: Double
    /// Wait for a rate limit that names no time.
    public var defaultRateLimitWait: Double

    public typealias Sleep = @Sendable (_ seconds: Double) async throws -> Void
    public typealias Random = @Sendable (_ upperBound: Double) -> Double
    public typealias Observer = @Sendable (_ error: Error, _ delay: Double) -> Void

    var sleep: Sleep
    var random: Random

    public init(maxAttempts: Int = 4, initialBackoff: Double = 0.5, maxBackoff: Double = 30,
                maxRateLimitWait: Double = 120, defaultRateLimitWait: Double = 10,
                sleep: @escaping Sleep = RetryPolicy.taskSleep,
                random: @escaping Random = { Double.random(in: 0...max(0, $0)) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRateLimitWait = maxRateLimitWait
        self.defaultRateLimitWait = defaultRateLimitWait
        self.sleep = sleep
        self.random = random
    }

    /// One try, no waiting: for callers that retry at a higher level.
    public static let none = RetryPolicy(maxAttempts: 1, maxRateLimitWait: 0)

    public static let taskSleep: Sleep = { seconds in
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }

    /// The delay before retry number `retry` (0 for the first): uniform in
    /// `0...min(maxBackoff, initialBackoff * 2^retry)`.
    public func backoff(retry: Int) -> Double {
        let bound = min(maxBackoff, initialBackoff * Double(1 << min(retry, 30)))
        return min(bound, max(0, random(bound)))
    }

    /// Runs `operation` until it succeeds, fails fatally, runs out of attempts or of rate-limit
    /// budget. Only for idempotent operations. Errors are judged by `RetryPolicy.classify`.
    public func withRetries<T>(onRetry: Observer? = nil, _ operation: () async throws -> T) async throws -> T {
        var failures = 0
        var rateLimitWaited = 0.0
        while true {
            do {
                return try await operation()
            } catch let stop as DoNotRetry {
                throw stop.error
            } catch {
                let delay: Double
                switch Self.classify(error) {
                case .fatal:
                    throw error
                case let .rateLimited(after):
                    delay = after ?? defaultRateLimitWait
                    guard rateLimitWaited + delay <= maxRateLimitWait else { throw error }
                    rateLimitWaited += delay
                case .retryable:
                    failures += 1
                    guard failures < maxAttempts else { throw error }
                    delay = backoff(retry: failures - 1)
                }
                onRetry?(error, delay)
                try await sleep(delay)
            }
        }
    }

    /// How an error bears on retrying: registry errors carry their classification; a digest
    /// mismatch may be corruption in transit; cancellation and anything else are final.
    public static func classify(_ error: Error) -> RegistryError.Classification {
        switch error {
        case let error as RegistryError: return error.classification
        case let error as DigestError:
            if case .invalid = error { return .fatal }
            return .retryable
        default: return .fatal
        }
    }
}

/// Wraps an error that must end `withRetries` at once, whatever its classification (for
/// example a streamed body that has already been partly consumed).
struct DoNotRetry: Error {
    let error: Error
}
