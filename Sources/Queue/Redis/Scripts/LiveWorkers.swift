import Redis

extension QueueScript {
    /// The info JSON of every worker whose heartbeat has not expired (read only). KEYS as `heartbeat`.
    static let liveWorkers = make("live_workers", """
    local alive = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now_ms(), '+inf')
    if #alive == 0 then return {} end
    local infos = redis.call('HMGET', KEYS[2], unpack(alive))
    local out = {}
    for i = 1, #alive do if infos[i] then out[#out + 1] = infos[i] end end
    return out
    """)
}
