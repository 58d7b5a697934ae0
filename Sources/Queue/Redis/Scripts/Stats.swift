import Redis

extension QueueScript {
    /// The queue's shape (read only). ARGV: prefix. Returns {pending per kind in KINDS order,
    /// age in ms of the oldest pending job, delayed, leased, dead, retries scheduled}.
    static let stats = make("stats", """
    local P = ARGV[1]
    local now = now_ms()
    local out = {}
    local oldest = now
    for i, kind in ipairs(KINDS) do
      local list = P .. ':pending:' .. kind
      out[i] = redis.call('LLEN', list)
      -- Lists are in arrival order, except released jobs at the front, which arrived earlier still.
      local head = redis.call('LINDEX', list, 0)
      if head then
        local at = tonumber(redis.call('HGET', job_key(P, head), 'enqueued'))
        if at and at < oldest then oldest = at end
      end
    end
    out[#out + 1] = now - oldest
    out[#out + 1] = redis.call('ZCARD', P .. ':delayed')
    out[#out + 1] = redis.call('ZCARD', P .. ':leases')
    out[#out + 1] = redis.call('ZCARD', P .. ':dead')
    out[#out + 1] = tonumber(redis.call('HGET', P .. ':stats', 'retries') or '0')
    return out
    """)
}
