import Redis

extension QueueScript {
    /// leased → done (deleted), for a batch of acknowledgements; the cycle and group count each
    /// job finished. ARGV: prefix, owner, then job ids. A job no longer leased to `owner` (its
    /// lease lapsed, or it was acknowledged already) is left alone. Returns how many were done.
    static let complete = make("complete", """
    local P, owner = ARGV[1], ARGV[2]
    local now = now_ms()
    local done = 0
    for i = 3, #ARGV do
      local id = ARGV[i]
      if owns(P, id, owner) then
        finish(P, now, id, '')
        redis.call('DEL', job_key(P, id))
        done = done + 1
      end
    end
    return done
    """)
}
