import Redis

/// The queue's Lua scripts: each state transition of a job (pending → leased → done / delayed /
/// dead) and each fleet-wide compare-and-set is one named script, defined in its own file in this
/// folder. Reading them tells the whole protocol; `RedisKeys` shows the keys they touch.
///
/// The job transitions take the key prefix (`{docker-sync}`) as `ARGV[1]` and build the per-job,
/// per-group and per-cycle key names from it, all in one hash slot; `KEYS[1]`, the leases key,
/// is declared only so that a Cluster-aware client routes them to that slot (`run(_:in:args:)`).
/// The others get their keys as `KEYS`. Time is the server's (`TIME`), so the clocks of the fleet's machines do not matter.
enum QueueScript {
    /// Builds a script from the shared library (`QueueScript.library`) and its own body.
    static func make(_ name: String, _ body: String) -> RedisScript {
        RedisScript(name: name, library + "\n-- " + name + "\n" + body)
    }

    /// Functions the transitions share: a job's arrival, its end (with the group it belongs to),
    /// the reaper, and the wake-up signal for blocked takers.
    static let library = """
    local CYCLE_TTL = \(RedisKeys.cycleTTLSeconds)
    -- The order take prefers: finish started work first.
    local KINDS = {'commit', 'blob', 'tag', 'image'}
    local JOB_FIELDS = {'kind', 'cycle', 'unique', 'group', 'attempts', 'payload', 'groupFailure'}

    local function now_ms()
      local t = redis.call('TIME')
      return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end

    local function job_key(P, id) return P .. ':job:' .. id end

    -- The job's fields for the client, in JOB_FIELDS order ('' for a missing one).
    local function job_fields(P, id, out)
      local values = redis.call('HMGET', job_key(P, id), unpack(JOB_FIELDS))
      out[#out + 1] = id
      for i = 1, #JOB_FIELDS do out[#out + 1] = values[i] or '' end
    end

    -- Wakes up to n takers blocked on the signal list (BLPOP). A stale token costs one empty take.
    local function signal(P, n)
      if n <= 0 then return end
      local tokens = {}
      for i = 1, math.min(n, 16) do tokens[i] = '1' end
      redis.call('LPUSH', P .. ':signal', unpack(tokens))
      redis.call('LTRIM', P .. ':signal', 0, 63)
    end

    -- Jobs of the cycle not yet finished (pending, delayed, leased, or held by a group).
    local function count_outstanding(P, cycle, delta)
      local key = P .. ':cycle:' .. cycle
      if redis.call('HINCRBY', key, 'outstanding', delta) < 0 then redis.call('HSET', key, 'outstanding', 0) end
      redis.call('EXPIRE', key, CYCLE_TTL)
    end

    -- count_outstanding for a batch: deltas collected per cycle, written once each.
    local function count_all(P, deltas)
      for cycle, delta in pairs(deltas) do
        if delta ~= 0 then count_outstanding(P, cycle, delta) end
      end
    end

    -- Stores a job; unless `held` (a group's continuation waits for its group) it goes into
    -- ready[kind], a batch the caller pushes to the pending lists. Its cycle's count grows in
    -- `deltas`. 0 when dropped: the id is known, or the unique key was seen in the job's cycle.
    local function add_job(P, now, deltas, ready, id, kind, cycle, unique, group, attempts, payload, held)
      local key = job_key(P, id)
      if redis.call('EXISTS', key) == 1 then return 0 end
      if unique ~= '' then
        local seen = P .. ':cycle:' .. cycle .. ':unique'
        if redis.call('SADD', seen, unique) == 0 then return 0 end
        redis.call('EXPIRE', seen, CYCLE_TTL)
      end
      local fields = {'kind', kind, 'cycle', cycle, 'attempts', attempts, 'payload', payload, 'enqueued', now}
      if unique ~= '' then fields[#fields + 1] = 'unique'; fields[#fields + 1] = unique end
      if group ~= '' then fields[#fields + 1] = 'group'; fields[#fields + 1] = group end
      redis.call('HSET', key, unpack(fields))
      deltas[cycle] = (deltas[cycle] or 0) + 1
      if not held then
        ready[kind] = ready[kind] or {}
        table.insert(ready[kind], id)
      end
      return 1
    end

    -- Appends the batched ids of add_job to their pending lists, in order.
    local function push_ready(P, ready)
      for kind, ids in pairs(ready) do redis.call('RPUSH', P .. ':pending:' .. kind, unpack(ids)) end
    end

    -- Lapsed leases go back to the front of their pending list (they were taken first); due
    -- retries to the back, pending since their due time. Returns how many jobs became ready.
    local function reap(P, now)
      local ready = 0
      local leases = P .. ':leases'
      for _, id in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, 1000)) do
        redis.call('ZREM', leases, id)
        local key = job_key(P, id)
        local kind = redis.call('HGET', key, 'kind')
        if kind then
          redis.call('HDEL', key, 'owner', 'leased')
          redis.call('LPUSH', P .. ':pending:' .. kind, id)
          ready = ready + 1
        end
      end
      local delayed = P .. ':delayed'
      local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1000)
      for i = 1, #due, 2 do
        local id = due[i]
        redis.call('ZREM', delayed, id)
        local key = job_key(P, id)
        local kind = redis.call('HGET', key, 'kind')
        if kind then
          redis.call('HSET', key, 'enqueued', due[i + 1])
          redis.call('RPUSH', P .. ':pending:' .. kind, id)
          ready = ready + 1
        end
      end
      return ready
    end

    -- The lease of job `id` is current and held by `owner`: only then may it be acknowledged,
    -- retried, released or buried (a lapsed, re-delivered job is acknowledged once). A job has an
    -- owner exactly while it is in the leases set: every transition out of it removes the owner.
    local function owns(P, id, owner)
      return redis.call('HGET', job_key(P, id), 'owner') == owner
    end

    -- A member of `group` ended (failed with `failure`, or '' on success). The group's last member
    -- makes the group's continuation pending, handing it the group's first failure.
    local function finish_in_group(P, now, group, failure)
      local gkey = P .. ':group:' .. group
      if redis.call('EXISTS', gkey) == 0 then return end
      if failure ~= '' then redis.call('HSETNX', gkey, 'failure', failure) end
      if redis.call('HINCRBY', gkey, 'remaining', -1) > 0 then return end
      local continuation, first = unpack(redis.call('HMGET', gkey, 'continuation', 'failure'))
      redis.call('DEL', gkey)
      local ckey = job_key(P, continuation)
      local kind = redis.call('HGET', ckey, 'kind')
      if not kind then return end
      if first then redis.call('HSET', ckey, 'groupFailure', first, 'formerGroup', group) end
      redis.call('HSET', ckey, 'enqueued', now)
      redis.call('RPUSH', P .. ':pending:' .. kind, continuation)
      signal(P, 1)
    end
    """
}
