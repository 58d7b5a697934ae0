import Redis

extension QueueScript {
    /// dead → pending with attempts reset: one job (ARGV[2] = id) or all (ARGV[2] = ''). A
    /// continuation that died because its group failed loses that failure; when members of that
    /// group are requeued with it, it waits for them again as their group's continuation (else a
    /// commit would race its own blobs). ARGV: prefix, id. Returns how many were requeued.
    static let requeueDead = make("requeue_dead", """
    local P, only = ARGV[1], ARGV[2]
    local dead = P .. ':dead'
    local ids = {only}
    if only == '' then ids = redis.call('ZRANGE', dead, 0, -1) end
    local now = now_ms()
    local requeued, members = {}, {}
    for _, id in ipairs(ids) do
      if redis.call('ZREM', dead, id) == 1 then
        local key = job_key(P, id)
        local kind, cycle, former, failed = unpack(redis.call('HMGET', key, 'kind', 'cycle', 'formerGroup', 'groupFailure'))
        if kind then
          redis.call('HDEL', key, 'failure', 'died', 'formerGroup', 'groupFailure')
          redis.call('HSET', key, 'attempts', 0, 'enqueued', now)
          count_outstanding(P, cycle, 1)
          local job = {id = id, kind = kind, group = former, continuation = failed ~= false}
          requeued[#requeued + 1] = job
          if former and not job.continuation then
            members[former] = members[former] or {}
            table.insert(members[former], id)
          end
        end
      end
    end
    local ready = 0
    for _, job in ipairs(requeued) do
      local held = job.continuation and job.group and members[job.group]
      if held then
        redis.call('HSET', P .. ':group:' .. job.group, 'remaining', #held, 'continuation', job.id)
        for _, member in ipairs(held) do redis.call('HSET', job_key(P, member), 'group', job.group) end
      else
        redis.call('RPUSH', P .. ':pending:' .. job.kind, job.id)
        ready = ready + 1
      end
    end
    signal(P, ready)
    return #requeued
    """)
}
