import Redis

extension QueueScript {
    /// dead → pending with attempts reset: one job (ARGV[2] = id) or all (ARGV[2] = '').
    /// ARGV: prefix, id. Returns how many were requeued.
    static let requeueDead = make("requeue_dead", """
    local P, only = ARGV[1], ARGV[2]
    local dead = P .. ':dead'
    local ids = {only}
    if only == '' then ids = redis.call('ZRANGE', dead, 0, -1) end
    local now = now_ms()
    local count = 0
    for _, id in ipairs(ids) do
      if redis.call('ZREM', dead, id) == 1 then
        local key = job_key(P, id)
        local kind, cycle = unpack(redis.call('HMGET', key, 'kind', 'cycle'))
        if kind then
          redis.call('HDEL', key, 'failure', 'died')
          redis.call('HSET', key, 'attempts', 0, 'enqueued', now)
          redis.call('RPUSH', P .. ':pending:' .. kind, id)
          count_outstanding(P, cycle, 1)
          count = count + 1
        end
      end
    end
    signal(P, count)
    return count
    """)
}
