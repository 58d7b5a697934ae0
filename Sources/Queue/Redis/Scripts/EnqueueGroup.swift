import Redis

extension QueueScript {
    /// pending ← a group's children; the continuation is stored, held until the last child ends
    /// (`finish_in_group`). ARGV: prefix, group id, the continuation's 7 fields, then 7 fields per
    /// child (as `enqueue`). A group none of whose children was added releases its continuation at once.
    static let enqueueGroup = make("enqueue_group", """
    local P, group = ARGV[1], ARGV[2]
    local now = now_ms()
    local deltas, ready = {}, {}
    local added = 0
    for i = 10, #ARGV, 7 do
      added = added + add_job(P, now, deltas, ready, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
                              ARGV[i + 5], ARGV[i + 6], false)
    end
    local held = added > 0
    if add_job(P, now, deltas, ready, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], held) == 1 then
      if held then
        redis.call('HSET', P .. ':group:' .. group, 'remaining', added, 'continuation', ARGV[3])
      else
        added = 1
      end
    end
    push_ready(P, ready)
    count_all(P, deltas)
    signal(P, added)
    return added
    """)
}
