import Redis

extension QueueScript {
    /// A worker's heartbeat: KEYS[1] (ZSET worker → expiry ms) and KEYS[2] (hash worker → info
    /// JSON); workers whose heartbeat expired are dropped from both. ARGV: worker id, info, TTL (ms).
    static let heartbeat = make("heartbeat", """
    local now = now_ms()
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
    for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
      redis.call('ZREM', KEYS[1], gone)
      redis.call('HDEL', KEYS[2], gone)
    end
    return 1
    """)
}
