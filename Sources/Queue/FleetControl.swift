import Foundation

/// Why and when the fleet stopped itself (a cycle's failures reached `sync.maxerrors`).
public struct HaltState: Codable, Sendable, Equatable {
    public var reason: String
    public var cycle: String?
    /// Seconds since 1970.
    public var since: Double
    public init(reason: String, cycle: String?, since: Double) { self.reason = reason; self.cycle = cycle; self.since = since }
}

/// A worker process, as its heartbeats describe it.
public struct WorkerInfo: Codable, Sendable, Equatable {
    public var id: String
    public var host: String
    public var pid: Int32
    public var slots: Int
    public var busy: Int
    /// Seconds since 1970 of the last heartbeat.
    public var seen: Double
    public init(id: String, host: String, pid: Int32, slots: Int, busy: Int, seen: Double) {
        self.id = id; self.host = host; self.pid = pid; self.slots = slots; self.busy = busy; self.seen = seen
    }
}

/// A job held by a worker, with how long ago its lease was taken or last renewed.
public struct InFlightJob: Codable, Sendable, Equatable {
    public var job: Job
    public var worker: String
    public var leaseAge: Double
    public init(job: Job, worker: String, leaseAge: Double) { self.job = job; self.worker = worker; self.leaseAge = leaseAge }
}

public struct DeadLetter: Codable, Sendable, Equatable {
    public var job: Job
    public var failure: JobFailure
    /// Seconds since 1970.
    public var died: Double
    public init(job: Job, failure: JobFailure, died: Double) { self.job = job; self.failure = failure; self.died = died }
}

/// The queue's shape at one moment, for `status` and the metrics.
public struct QueueStats: Codable, Sendable, Equatable {
    public var pending: [JobKind: Int] = [:]
    /// Age in seconds of the oldest ready job.
    public var oldestPendingAge: Double = 0
    public var delayed = 0
    public var inFlight = 0
    public var dead = 0
    /// Retries scheduled since the queue was created.
    public var retries = 0
    public init() {}
}

/// What the fleet's roles share besides jobs: leadership, halt, heartbeats and the operator's view.
public protocol FleetControl: Sendable {
    /// Takes the leader lease when free (or already ours); true when `candidate` leads for `ttl`.
    func campaign(_ candidate: String, ttl: Duration) async throws -> Bool
    /// Extends the lease only while `candidate` still holds it.
    func renewLeadership(_ candidate: String, ttl: Duration) async throws -> Bool
    func resign(_ candidate: String) async throws
    func leader() async throws -> String?
    /// How long the current leader's lease has left (nil: no leader).
    func leaseRemaining() async throws -> Duration?

    func halt(_ state: HaltState) async throws
    func haltState() async throws -> HaltState?
    func resume() async throws

    func heartbeat(_ worker: WorkerInfo, ttl: Duration) async throws
    /// A worker that stopped: no longer listed as alive.
    func retire(worker id: String) async throws
    func workers() async throws -> [WorkerInfo]

    /// Adds to fleet-wide counters (bytes copied, blobs copied / mounted / skipped, …).
    func addCounters(_ deltas: [String: Int64]) async throws
    func counters() async throws -> [String: Int64]

    func stats() async throws -> QueueStats
    func inFlight() async throws -> [InFlightJob]
    func deadLetters(limit: Int) async throws -> [DeadLetter]
    /// Puts dead letters back on the queue with their attempts reset: one by id, or all when nil. Returns how many.
    func requeueDead(id: String?) async throws -> Int
}

/// The reporter's side of the outcome log: read what workers published, once per consumer.
public protocol OutcomeReader: Sendable {
    /// Outcomes published since the last call (blocking up to `timeout` when none).
    func next(consumer: String, timeout: Duration) async throws -> [Outcome]
    /// Every outcome of one cycle (for `enqueue --wait`).
    func outcomes(cycle: String) async throws -> [Outcome]
    /// Failed outcomes counted so far in `cycle` (counted atomically as they are published).
    func failureCount(cycle: String) async throws -> Int
}
