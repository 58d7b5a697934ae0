import Redis

extension QueueScript {
    /// Publishes one outcome: XADD to the stream KEYS[1] (capped, MAXLEN ~), RPUSH to its cycle's
    /// list KEYS[2], and when it failed HINCRBY the cycle's failure count in KEYS[3], atomically so
    /// that the count the reporter holds against sync.maxerrors is exact. ARGV: outcome JSON,
    /// failed ('1' / '0'), stream cap, cycle TTL (s).
    static let publishOutcome = make("publish_outcome", """
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'outcome', ARGV[1])
    redis.call('RPUSH', KEYS[2], ARGV[1])
    redis.call('EXPIRE', KEYS[2], ARGV[4])
    if ARGV[2] == '1' then
      redis.call('HINCRBY', KEYS[3], 'failures', 1)
      redis.call('EXPIRE', KEYS[3], ARGV[4])
    end
    return 1
    """)
}
