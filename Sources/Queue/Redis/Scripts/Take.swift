import Redis

extension QueueScript {
    /// pending → leased, up to `max` jobs, commit before blob before tag before image; lapsed
    /// leases and due retries are made pending first. ARGV: prefix, owner, lease TTL (ms), max.
    /// Returns {wake, fields of each job (id + JOB_FIELDS)}. When nothing was ready, `wake` is the
    /// ms until a retry falls due or a lease lapses (-1: none), and stale wake-up tokens are dropped:
    /// the caller blocks on the signal list until then.
    static let take = make("take", """
    local P, owner, ttl, max = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
    local now = now_ms()
    signal(P, reap(P, now))
    local out = {-1}
    local leases = {}
    for _, kind in ipairs(KINDS) do
      if #leases >= 2 * max then break end
      local ids = redis.call('LPOP', P .. ':pending:' .. kind, max - #leases / 2)
      if ids then
        for _, id in ipairs(ids) do
          local key = job_key(P, id)
          local values = redis.call('HMGET', key, unpack(JOB_FIELDS))
          if values[1] then
            redis.call('HSET', key, 'owner', owner, 'leased', now)
            leases[#leases + 1] = now + ttl
            leases[#leases + 1] = id
            out[#out + 1] = id
            for i = 1, #JOB_FIELDS do out[#out + 1] = values[i] or '' end
          end
        end
      end
    end
    if #leases > 0 then
      redis.call('ZADD', P .. ':leases', unpack(leases))
      return out
    end
    redis.call('DEL', P .. ':signal')
    local wake = -1
    for _, set in ipairs({P .. ':delayed', P .. ':leases'}) do
      local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
      if first[2] then
        local wait = math.max(0, tonumber(first[2]) - now)
        if wake < 0 or wait < wake then wake = wait end
      end
    end
    out[1] = wake
    return out
    """)
}
