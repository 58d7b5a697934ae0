import Redis

extension QueueScript {
    /// leased → leased for another TTL, for each job still leased to `owner`. ARGV: prefix, owner,
    /// lease TTL (ms), then job ids. Returns the ids whose lease was lost (lapsed and re-delivered,
    /// or reaped): their holder must not count on them. A job finished meanwhile is not reported.
    static let renewLeases = make("renew_leases", """
    local P, owner, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local now = now_ms()
    local renewed, lost = {}, {}
    for i = 4, #ARGV do
      local id = ARGV[i]
      local key = job_key(P, id)
      local holder = redis.call('HGET', key, 'owner')
      if holder == owner then
        redis.call('HSET', key, 'leased', now)
        renewed[#renewed + 1] = now + ttl
        renewed[#renewed + 1] = id
      elseif redis.call('EXISTS', key) == 1 then
        lost[#lost + 1] = id
      end
    end
    if #renewed > 0 then redis.call('ZADD', P .. ':leases', unpack(renewed)) end
    return lost
    """)
}
