import Redis

extension QueueScript {
    /// Pauses a registry until ARGV[1] (seconds since 1970, ARGV[2] the same in ms), or keeps a
    /// later pause: KEYS[1] holds the time and expires with it. Returns 1 when the pause grew.
    static let pause = make("pause", """
    local current = tonumber(redis.call('GET', KEYS[1]) or '0')
    if tonumber(ARGV[1]) <= current or tonumber(ARGV[2]) <= now_ms() then return 0 end
    redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
    return 1
    """)
}
