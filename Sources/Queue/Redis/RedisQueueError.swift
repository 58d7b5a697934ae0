/// What the Redis backend itself can get wrong; Redis's own failures (unavailable, timeouts) come
/// through as `RedisError`, classified retryable or not.
public enum RedisQueueError: Error, Sendable, CustomStringConvertible {
    /// The key prefix would break the `{prefix}` hash tag.
    case invalidPrefix(String)
    /// A script answered something this version does not understand: another version of
    /// docker-sync with a different key layout may share the prefix.
    case unexpectedReply(script: String, reply: String)
    /// A stored job could not be read back.
    case malformedJob(id: String, reason: String)

    public var description: String {
        switch self {
        case .invalidPrefix(let prefix):
            return "invalid Redis key prefix '\(prefix)': it must be non-empty and contain no '{' or '}'"
        case .unexpectedReply(let script, let reply):
            return "unexpected reply from the Redis queue script \(script): \(reply); does another docker-sync version share the key prefix?"
        case .malformedJob(let id, let reason):
            return "job \(id) in Redis is malformed (\(reason)); does another docker-sync version share the key prefix?"
        }
    }
}
