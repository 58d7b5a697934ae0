import Redis

extension QueueScript {
    /// leased → done (deleted), for a batch of acknowledgements; the cycle and group count each
    /// job finished. ARGV: prefix, owner, then job ids. A job no longer leased to `owner` (its
    /// lease lapsed, or it was acknowledged already) is left alone. Returns how many were done.
    static let complete = make("complete", """
    local P, owner = ARGV[1], ARGV[2]
    local now = now_ms()
    local done, keys, deltas = {}, {}, {}
    for i = 3, #ARGV do
      local id = ARGV[i]
      local key = job_key(P, id)
      local holder, cycle, group = unpack(redis.call('HMGET', key, 'owner', 'cycle', 'group'))
      if holder == owner then
        if group then finish_in_group(P, now, group, '') end
        deltas[cycle] = (deltas[cycle] or 0) - 1
        done[#done + 1] = id
        keys[#keys + 1] = key
      end
    end
    if #done == 0 then return 0 end
    redis.call('ZREM', P .. ':leases', unpack(done))
    redis.call('DEL', unpack(keys))
    count_all(P, deltas)
    return #done
    """)
}
