import Foundation
import Redis

/// The queue's transitions, each one script call (see `QueueScript`).
extension RedisBackend: JobQueue {
    /// Jobs per enqueue script call.
    static let enqueueBatch = 500

    public func enqueue(_ jobs: [Job]) async throws {
        for start in stride(from: 0, to: jobs.count, by: Self.enqueueBatch) {
            var args: [RedisArgument] = []
            args.reserveCapacity(7 * Self.enqueueBatch)
            for job in jobs[start..<min(start + Self.enqueueBatch, jobs.count)] { args += StoredJob.arguments(job) }
            try await redis.run(QueueScript.enqueue, in: keys, args: args, idempotent: false)
        }
    }

    public func enqueue(_ group: JobGroup) async throws {
        var args = [RedisArgument(group.id)] + StoredJob.arguments(group.continuation)
        for child in group.children { args += StoredJob.arguments(child) }
        try await redis.run(QueueScript.enqueueGroup, in: keys, args: args, idempotent: false)
    }

    public func take(timeout: Duration) async throws -> LeasedJob? {
        guard timeout > .zero else { return try await takeJobs(1).jobs.first }
        return try await fetcher.take(timeout: timeout)
    }

    /// Returns once the acknowledgement is durable in Redis: acknowledgements arriving together are
    /// sent together in one script call (`AckBatcher`). Acknowledging a job whose lease was lost
    /// (it lapsed and went to another worker), or acknowledging twice, changes nothing.
    public func complete(_ job: LeasedJob) async throws {
        try await acks.acknowledge(job.job.id)
    }

    public func retry(_ job: LeasedJob, after delay: Duration, countsAsAttempt: Bool, failure: JobFailure) async throws {
        try await redis.run(QueueScript.retry, in: keys, args: [
            RedisArgument(owner), RedisArgument(job.job.id),
            RedisArgument(max(0, delay.milliseconds)), RedisArgument(countsAsAttempt ? "1" : "0"),
        ], idempotent: true)
        held.remove([job.job.id])
    }

    public func release(_ job: LeasedJob) async throws {
        try await redis.run(QueueScript.release, in: keys, args: [RedisArgument(owner), RedisArgument(job.job.id)],
                            idempotent: true)
        held.remove([job.job.id])
    }

    public func bury(_ job: LeasedJob, failure: JobFailure) async throws {
        try await redis.run(QueueScript.bury, in: keys, args: [
            RedisArgument(owner), RedisArgument(job.job.id),
            try JSONEncoder.sorted.encode(failure).redisArgument, RedisArgument(deadLetterMax),
            RedisArgument(deadLetterMaxAge.milliseconds),
        ], idempotent: true)
        held.remove([job.job.id])
    }

    /// Polls the cycle's outstanding count every 50 ms until it is 0 (or the cycle is unknown).
    public func waitForCycle(_ cycle: String) async throws {
        while try await outstanding(cycle) > 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Jobs of `cycle` not yet finished: pending, delayed, leased, or continuations held by their group.
    public func outstanding(_ cycle: String) async throws -> Int {
        try await redis.send(RedisCommand(["HGET", keys.cycle(cycle), "outstanding"], idempotent: true)).int ?? 0
    }
}
