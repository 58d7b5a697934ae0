import Redis

extension QueueScript {
    /// Takes one of a registry's slots, a fleet-wide semaphore: KEYS[1] is a ZSET holder → expiry
    /// (ms); expired holders are dropped first. ARGV: holder, limit, TTL (ms). A holder taking its
    /// slot again extends it. Returns 1 when the holder has a slot.
    static let acquireSlot = make("acquire_slot", """
    local now = now_ms()
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
      return 0
    end
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
    local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', KEYS[1], last[2])
    return 1
    """)
}
