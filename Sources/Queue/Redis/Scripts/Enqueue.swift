import Redis

extension QueueScript {
    /// pending ← new jobs. ARGV: prefix, then per job: id, kind, cycle, unique key ('' none),
    /// group ('' none), attempts, payload. A job whose unique key its cycle has seen is dropped.
    /// Returns how many were added.
    static let enqueue = make("enqueue", """
    local P = ARGV[1]
    local now = now_ms()
    local deltas, ready = {}, {}
    local added = 0
    for i = 2, #ARGV, 7 do
      added = added + add_job(P, now, deltas, ready, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
                              ARGV[i + 5], ARGV[i + 6], false)
    end
    push_ready(P, ready)
    count_all(P, deltas)
    signal(P, added)
    return added
    """)
}
