import Redis

extension QueueScript {
    /// The newest dead letters first (read only). ARGV: prefix, limit. Returns per job: id +
    /// JOB_FIELDS, failure (JSON), died (ms).
    static let deadLetters = make("dead_letters", """
    local P, limit = ARGV[1], tonumber(ARGV[2])
    local out = {}
    if limit <= 0 then return out end
    for _, id in ipairs(redis.call('ZREVRANGE', P .. ':dead', 0, limit - 1)) do
      job_fields(P, id, out)
      local failure, died = unpack(redis.call('HMGET', job_key(P, id), 'failure', 'died'))
      out[#out + 1] = failure or ''
      out[#out + 1] = died or '0'
    end
    return out
    """)
}
