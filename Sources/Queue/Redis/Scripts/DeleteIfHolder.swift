import Redis

extension QueueScript {
    /// Compare-and-DEL: deletes KEYS[1] only while it holds ARGV[1] (a leader resigning, a
    /// transfer claim released by its owner). Returns 1 when deleted.
    static let deleteIfHolder = make("delete_if_holder", """
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    return redis.call('DEL', KEYS[1])
    """)
}
