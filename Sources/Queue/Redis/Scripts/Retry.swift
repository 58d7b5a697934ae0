import Redis

extension QueueScript {
    /// leased → delayed until now + delay. ARGV: prefix, owner, id, delay (ms), counts as an
    /// attempt ('1' / '0'). Returns 1, or 0 when the job is not leased to `owner`.
    static let retry = make("retry", """
    local P, owner, id, delay = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
    if not owns(P, id, owner) then return 0 end
    local key = job_key(P, id)
    redis.call('ZREM', P .. ':leases', id)
    redis.call('HDEL', key, 'owner', 'leased')
    -- A pause (rate limit, or waiting for another worker's copy) is not a retry of a failure.
    if ARGV[5] == '1' then
        redis.call('HINCRBY', key, 'attempts', 1)
        redis.call('HINCRBY', P .. ':stats', 'retries', 1)
    else
        redis.call('HINCRBY', P .. ':stats', 'pauses', 1)
    end
    redis.call('ZADD', P .. ':delayed', now_ms() + delay, id)
    signal(P, 1)
    return 1
    """)
}
