import Redis

extension QueueScript {
    /// pending ← new jobs. ARGV: prefix, then per job: id, kind, cycle, unique key ('' none),
    /// group ('' none), attempts, payload. A job whose unique key its cycle has seen is dropped.
    /// Returns how many were added.
    static let enqueue = make("enqueue", """
    local P = ARGV[1]
    local now = now_ms()
    local added = 0
    for i = 2, #ARGV, 7 do
      added = added + add_job(P, now, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], false)
    end
    signal(P, added)
    return added
    """)
}
