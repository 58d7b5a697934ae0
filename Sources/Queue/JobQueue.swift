import Foundation

/// A job handed to a worker, held under a lease until it is acknowledged, retried or buried.
public struct LeasedJob: Sendable {
    public var job: Job
    /// Set when the continuation of a group runs and a child of the group ended dead: the first such failure.
    public var groupFailure: JobFailure?
    public init(job: Job, groupFailure: JobFailure? = nil) { self.job = job; self.groupFailure = groupFailure }
}

/// Why a job ended dead, kept with the dead letter.
public struct JobFailure: Codable, Sendable, Equatable {
    public enum Class: String, Codable, Sendable { case retryable, rateLimited, fatal }
    public var errorClass: Class
    public var message: String
    public var status: Int?
    public init(errorClass: Class, message: String, status: Int? = nil) {
        self.errorClass = errorClass; self.message = message; self.status = status
    }
}

/// The queue every role talks to. Two implementations: `MemoryQueue` (embedded, one process)
/// and the Redis queue (the fleet). Delivery is at least once: handlers must be idempotent.
public protocol JobQueue: Sendable {
    /// Adds jobs; a job whose `uniqueKey` was seen in its cycle is dropped.
    func enqueue(_ jobs: [Job]) async throws
    /// Adds a group's children; its continuation is enqueued when the last child finishes.
    func enqueue(_ group: JobGroup) async throws
    /// The next ready job, waiting up to `timeout`; nil when none came.
    func take(timeout: Duration) async throws -> LeasedJob?
    /// The job is finished.
    func complete(_ job: LeasedJob) async throws
    /// The job failed but may succeed later: it is retried after `delay`. When `countsAsAttempt`
    /// (false for a rate-limit pause) the attempt counter grows.
    func retry(_ job: LeasedJob, after delay: Duration, countsAsAttempt: Bool, failure: JobFailure) async throws
    /// The worker gives the job back unfinished (shutting down): it is ready again at once, its attempts unchanged.
    func release(_ job: LeasedJob) async throws
    /// The job failed for good and becomes a dead letter.
    func bury(_ job: LeasedJob, failure: JobFailure) async throws
    /// Waits until no job of `cycle` is pending, delayed or in flight.
    func waitForCycle(_ cycle: String) async throws
}
