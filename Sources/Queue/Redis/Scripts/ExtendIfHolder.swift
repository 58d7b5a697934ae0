import Redis

extension QueueScript {
    /// Compare-and-PEXPIRE: extends KEYS[1] by ARGV[2] ms only while it holds ARGV[1] (the
    /// leader renewing its lease). Returns 1 when extended.
    static let extendIfHolder = make("extend_if_holder", """
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
    """)
}
