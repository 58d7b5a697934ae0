import Foundation
import Redis

/// Leadership, halt, heartbeats, counters and the operator's view of the queue.
extension RedisBackend: FleetControl {
    public func campaign(_ candidate: String, ttl: Duration) async throws -> Bool {
        try await redis.run(QueueScript.campaign, keys: [keys.leader], args: [RedisArgument(candidate), RedisArgument(max(1, ttl.milliseconds))],
                            idempotent: true).integer(of: QueueScript.campaign) == 1
    }

    public func renewLeadership(_ candidate: String, ttl: Duration) async throws -> Bool {
        try await redis.run(QueueScript.extendIfHolder, keys: [keys.leader],
                            args: [RedisArgument(candidate), RedisArgument(max(1, ttl.milliseconds))],
                            idempotent: true).integer(of: QueueScript.extendIfHolder) == 1
    }

    public func resign(_ candidate: String) async throws {
        try await redis.run(QueueScript.deleteIfHolder, keys: [keys.leader], args: [RedisArgument(candidate)], idempotent: true)
    }

    public func leaseRemaining() async throws -> Duration? {
        guard let milliseconds = try await redis.send(RedisCommand(["PTTL", keys.leader], idempotent: true)).int,
              milliseconds >= 0 else { return nil }
        return .milliseconds(milliseconds)
    }

    public func leader() async throws -> String? {
        try await redis.send(RedisCommand(["GET", keys.leader], idempotent: true)).string
    }

    public func halt(_ state: HaltState) async throws {
        try await redis.send(RedisCommand(["SET", keys.halt, try JSONEncoder.sorted.encode(state)], idempotent: true))
    }

    public func haltState() async throws -> HaltState? {
        guard let bytes = try await redis.send(RedisCommand(["GET", keys.halt], idempotent: true)).bytes else { return nil }
        return try JSONDecoder().decode(HaltState.self, from: Data(bytes))
    }

    public func resume() async throws {
        try await redis.send(RedisCommand(["DEL", keys.halt], idempotent: true))
    }

    public func heartbeat(_ worker: WorkerInfo, ttl: Duration) async throws {
        try await redis.run(QueueScript.heartbeat, keys: [keys.workers, keys.workerInfo],
                            args: [RedisArgument(worker.id), try JSONEncoder.sorted.encode(worker).redisArgument,
                                   RedisArgument(max(1, ttl.milliseconds))],
                            idempotent: true)
    }

    public func retire(worker id: String) async throws {
        _ = try await redis.pipeline([RedisCommand(["ZREM", keys.workers, id]), RedisCommand(["HDEL", keys.workerInfo, id])],
                                     idempotent: true)
    }

    /// Workers whose last heartbeat has not expired, by id.
    public func workers() async throws -> [WorkerInfo] {
        let reply = try await redis.run(QueueScript.liveWorkers, keys: [keys.workers, keys.workerInfo], args: [], idempotent: true)
        return try reply.elements(of: QueueScript.liveWorkers)
            .map { try JSONDecoder().decode(WorkerInfo.self, from: Data($0.data)) }
            .sorted { $0.id < $1.id }
    }

    public func addCounters(_ deltas: [String: Int64]) async throws {
        let commands = deltas.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { name, delta in
            RedisCommand(["HINCRBY", keys.counters, name, delta])
        }
        guard !commands.isEmpty else { return }
        for reply in try await redis.pipeline(commands) {
            if let message = reply.errorMessage { throw RedisError.server(command: "HINCRBY", message: message) }
        }
    }

    public func counters() async throws -> [String: Int64] {
        let values = try await redis.send(RedisCommand(["HGETALL", keys.counters], idempotent: true)).array ?? []
        var counters: [String: Int64] = [:]
        for index in stride(from: 0, to: values.count - 1, by: 2) {
            if let name = values[index].string, let value = values[index + 1].int { counters[name] = Int64(value) }
        }
        return counters
    }

    public func stats() async throws -> QueueStats {
        let script = QueueScript.stats
        let values = try await redis.run(script, in: keys, args: [], idempotent: true).elements(of: script)
        let kinds: [JobKind] = [.commit, .blob, .tag, .image]  // the scripts' KINDS order
        guard values.count == kinds.count + 5 else { throw RedisQueueError.unexpectedReply(script: "stats", reply: "\(values)") }
        let numbers = try values.map { try $0.integer(of: script) }
        var stats = QueueStats()
        for (index, kind) in kinds.enumerated() { stats.pending[kind] = numbers[index] }
        stats.oldestPendingAge = Double(numbers[4]) / 1000
        stats.delayed = numbers[5]
        stats.inFlight = numbers[6]
        stats.dead = numbers[7]
        stats.retries = numbers[8]
        return stats
    }

    /// Leased jobs, the longest-leased first; `leaseAge` counts from the take or the last renewal.
    public func inFlight() async throws -> [InFlightJob] {
        let script = QueueScript.inFlight
        let values = try await redis.run(script, in: keys, args: [], idempotent: true).elements(of: script)
        guard let now = values.first?.int else { return [] }
        return try StoredJob.each(values, from: 1, extra: 2) { leased, extra in
            let leasedAt = extra[extra.startIndex + 1].int ?? now
            return InFlightJob(job: leased.job, worker: extra[extra.startIndex].string ?? "", leaseAge: Double(now - leasedAt) / 1000)
        }
    }

    /// The newest dead letters first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        let script = QueueScript.deadLetters
        let values = try await redis.run(script, in: keys, args: [RedisArgument(limit)], idempotent: true).elements(of: script)
        return try StoredJob.each(values, from: 0, extra: 2) { leased, extra in
            let failure = try JSONDecoder().decode(JobFailure.self, from: Data(extra[extra.startIndex].data))
            return DeadLetter(job: leased.job, failure: failure, died: Double(extra[extra.startIndex + 1].int ?? 0) / 1000)
        }
    }

    public func requeueDead(id: String?) async throws -> Int {
        try await redis.run(QueueScript.requeueDead, in: keys, args: [RedisArgument(id ?? "")], idempotent: false)
            .integer(of: QueueScript.requeueDead)
    }
}
