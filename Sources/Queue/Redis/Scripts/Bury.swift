import Redis

extension QueueScript {
    /// leased → dead, with the failure and the time; the cycle and group count it finished (the
    /// group passes the failure to its continuation). The dead set keeps at most `max` jobs, none
    /// older than `max age`. ARGV: prefix, owner, id, failure (JSON), max, max age (ms).
    /// Returns 1, or 0 when the job is not leased to `owner`.
    static let bury = make("bury", """
    local P, owner, id, failure = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
    local max, maxAge = tonumber(ARGV[5]), tonumber(ARGV[6])
    local key = job_key(P, id)
    local holder, cycle, group = unpack(redis.call('HMGET', key, 'owner', 'cycle', 'group'))
    if holder ~= owner then return 0 end
    local now = now_ms()
    redis.call('ZREM', P .. ':leases', id)
    -- A requeued dead letter is no longer counted by its group; `formerGroup` lets requeue_dead
    -- hold the group's continuation for it when both are requeued together.
    redis.call('HDEL', key, 'owner', 'leased', 'group')
    if group then redis.call('HSET', key, 'formerGroup', group) end
    redis.call('HSET', key, 'failure', failure, 'died', now)
    if group then finish_in_group(P, now, group, failure) end
    count_outstanding(P, cycle, -1)
    local dead = P .. ':dead'
    redis.call('ZADD', dead, now, id)
    local function drop(ids)
      for _, old in ipairs(ids) do
        redis.call('DEL', job_key(P, old))
        redis.call('ZREM', dead, old)
      end
    end
    drop(redis.call('ZRANGEBYSCORE', dead, '-inf', '(' .. (now - maxAge)))
    local excess = redis.call('ZCARD', dead) - max
    if excess > 0 then drop(redis.call('ZRANGE', dead, 0, excess - 1)) end
    return 1
    """)
}
