import Redis

extension QueueScript {
    /// leased (lapsed) → pending, delayed (due) → pending, for when nobody takes (take reaps too).
    /// ARGV: prefix. Returns how many jobs became ready.
    static let reap = make("reap", """
    local P = ARGV[1]
    local ready = reap(P, now_ms())
    signal(P, ready)
    return ready
    """)
}
