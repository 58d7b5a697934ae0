import Redis

extension QueueScript {
    /// Takes the lease KEYS[1] for candidate ARGV[1] for ARGV[2] ms when it is free (SET NX PX),
    /// or extends it when the candidate holds it already. Returns 1 when the candidate leads.
    static let campaign = make("campaign", """
    local holder = redis.call('GET', KEYS[1])
    if holder == ARGV[1] then
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
    end
    if holder then return 0 end
    redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
    return 1
    """)
}
