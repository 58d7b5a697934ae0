import Redis

extension QueueScript {
    /// leased → leased for another TTL, for each job still leased to `owner`. ARGV: prefix, owner,
    /// lease TTL (ms), then job ids. Returns the ids whose lease was lost (lapsed and re-delivered,
    /// or gone): their holder must not count on them.
    static let renewLeases = make("renew_leases", """
    local P, owner, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local now = now_ms()
    local lost = {}
    for i = 4, #ARGV do
      local id = ARGV[i]
      if owns(P, id, owner) then
        redis.call('ZADD', P .. ':leases', now + ttl, id)
        redis.call('HSET', job_key(P, id), 'leased', now)
      else
        lost[#lost + 1] = id
      end
    end
    return lost
    """)
}
