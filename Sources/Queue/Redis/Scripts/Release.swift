import Redis

extension QueueScript {
    /// leased → the front of pending, attempts unchanged (a worker shutting down, or a prefetched
    /// job nobody took). ARGV: prefix, owner, id. Returns 1, or 0 when not leased to `owner`.
    static let release = make("release", """
    local P, owner, id = ARGV[1], ARGV[2], ARGV[3]
    if not owns(P, id, owner) then return 0 end
    local key = job_key(P, id)
    redis.call('ZREM', P .. ':leases', id)
    redis.call('HDEL', key, 'owner', 'leased')
    redis.call('LPUSH', P .. ':pending:' .. redis.call('HGET', key, 'kind'), id)
    signal(P, 1)
    return 1
    """)
}
