import Redis

extension QueueScript {
    /// The leased jobs (read only). ARGV: prefix. Returns {now, then per job: id + JOB_FIELDS,
    /// owner, leased (ms, when taken or last renewed)}.
    static let inFlight = make("in_flight", """
    local P = ARGV[1]
    local out = {now_ms()}
    for _, id in ipairs(redis.call('ZRANGE', P .. ':leases', 0, -1)) do
      job_fields(P, id, out)
      local owner, leased = unpack(redis.call('HMGET', job_key(P, id), 'owner', 'leased'))
      out[#out + 1] = owner or ''
      out[#out + 1] = leased or '0'
    end
    return out
    """)
}
