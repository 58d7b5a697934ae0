import Foundation
import Logging
import Redis

/// The fleet's shared state in Redis: the job queue, coordination between workers, the outcome
/// log and its reader, and fleet control — one object over one `RedisClient`, conforming to
/// `JobQueue`, `Coordination`, `OutcomeLog`, `OutcomeReader` and `FleetControl`.
///
/// Delivery is at least once: a taken job is leased to this process (`owner`) until its lease
/// deadline, and a task inside the backend renews the leases of every job the process holds every
/// `leaseTTL / 3`, independently of the work on them. A process that dies stops renewing; its
/// jobs are taken again once their leases lapse. The state machine is in `QueueScript`, the keys
/// in `RedisKeys`.
public final class RedisBackend: @unchecked Sendable {
    public let keys: RedisKeys
    /// The connection pool, for callers that need Redis itself (status tools, tests).
    public let redis: RedisClient
    /// Whom this process's leases, claims and tokens name.
    public let owner: String
    public let leaseTTL: Duration
    public let deadLetterMax: Int
    public let deadLetterMaxAge: Duration
    let logger: Logger
    let held: HeldLeases
    let fetcher: JobFetcher
    let acks: AckBatcher
    let takeJobs: JobFetcher.Fetch
    /// Blocks in BLPOP on the signal list for the fetch loop.
    private let signalConnection: RedisConnection
    /// Blocks in XREADGROUP for `OutcomeReader.next`; made on first use.
    private let readerLock = NSLock()
    private var readerConnection: RedisConnection?
    private var renewal: Task<Void, Never>?

    /// Connects to `url` (failing here on a wrong address or password) and starts renewing leases.
    /// `prefetch`: jobs leased per take beyond the callers waiting, kept in a local buffer (0 suits
    /// long jobs; no-op benchmarks want more). `owner` names this process in leases.
    public static func connect(url: String, prefix: String = "docker-sync", leaseTTL: Duration = .seconds(30),
                               deadLetterMax: Int = 10_000, deadLetterMaxAge: Duration = .seconds(7 * 86_400),
                               owner: String = RedisBackend.defaultOwner(), prefetch: Int = 0, poolSize: Int = 4,
                               logger: Logger = Logger(label: "docker-sync.queue")) async throws -> RedisBackend {
        try await connect(options: RedisOptions(url: url), prefix: prefix, leaseTTL: leaseTTL, deadLetterMax: deadLetterMax,
                          deadLetterMaxAge: deadLetterMaxAge, owner: owner, prefetch: prefetch, poolSize: poolSize, logger: logger)
    }

    public static func connect(options: RedisOptions, prefix: String = "docker-sync", leaseTTL: Duration = .seconds(30),
                               deadLetterMax: Int = 10_000, deadLetterMaxAge: Duration = .seconds(7 * 86_400),
                               owner: String = RedisBackend.defaultOwner(), prefetch: Int = 0, poolSize: Int = 4,
                               logger: Logger = Logger(label: "docker-sync.queue")) async throws -> RedisBackend {
        let backend = try RedisBackend(client: RedisClient(options: options, poolSize: poolSize), keys: RedisKeys(prefix: prefix),
                                       owner: owner, leaseTTL: leaseTTL, deadLetterMax: deadLetterMax,
                                       deadLetterMaxAge: deadLetterMaxAge, prefetch: prefetch, logger: logger)
        do {
            try await backend.redis.connect()
        } catch {
            await backend.close()
            throw error
        }
        backend.startRenewal()
        return backend
    }

    /// `host:pid:random`, unique per process.
    public static func defaultOwner() -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(random)"
    }

    private init(client: RedisClient, keys: RedisKeys, owner: String, leaseTTL: Duration, deadLetterMax: Int,
                 deadLetterMaxAge: Duration, prefetch: Int, logger: Logger) {
        self.keys = keys
        self.redis = client
        self.owner = owner
        self.leaseTTL = leaseTTL
        self.deadLetterMax = deadLetterMax
        self.deadLetterMaxAge = deadLetterMaxAge
        self.logger = logger
        let held = HeldLeases()
        self.held = held
        let signalConnection = client.dedicatedConnection()
        self.signalConnection = signalConnection
        let take = Self.takeFunction(client: client, keys: keys, owner: owner, leaseTTL: leaseTTL, held: held, logger: logger)
        self.takeJobs = take
        self.fetcher = JobFetcher(prefetch: prefetch, fetch: take, block: { wait in
            let seconds = String(format: "%.3f", max(0.005, wait.seconds))
            let reply = try? await signalConnection.sendRaw(["BLPOP", keys.signal, seconds])
            return reply?.array != nil
        }, passOn: {
            _ = try? await client.sendRaw(["LPUSH", keys.signal, "1"])
        })
        self.acks = AckBatcher { [held] ids in
            try await client.run(QueueScript.complete, in: keys, args: [RedisArgument(owner)] + ids.map { RedisArgument($0) },
                                 idempotent: true)
            held.remove(ids)
        }
    }

    /// Leases up to `max` jobs to `owner` with the take script, remembering them for renewal.
    private static func takeFunction(client: RedisClient, keys: RedisKeys, owner: String, leaseTTL: Duration,
                                     held: HeldLeases, logger: Logger) -> JobFetcher.Fetch {
        { max in
            let reply = try await client.run(
                QueueScript.take, in: keys, args: [RedisArgument(owner), RedisArgument(leaseTTL.milliseconds), RedisArgument(max)],
                idempotent: false)
            let values = try reply.elements(of: QueueScript.take)
            guard let wake = values.first?.int else { throw RedisQueueError.unexpectedReply(script: "take", reply: "\(reply)") }
            guard (values.count - 1) % StoredJob.fieldCount == 0 else {
                throw RedisQueueError.unexpectedReply(script: "take", reply: "\(values.count) values")
            }
            var jobs: [LeasedJob] = []
            for index in stride(from: 1, to: values.count, by: StoredJob.fieldCount) {
                do {
                    jobs.append(try StoredJob.leased(values, at: index))
                } catch {
                    // Not held, so not renewed: it goes back when its lease lapses, and is logged again.
                    logger.error("cannot read a taken job: \(error)")
                }
            }
            held.insert(jobs.map(\.job.id))
            return Fetched(jobs: jobs, wake: wake < 0 ? nil : .milliseconds(wake))
        }
    }

    /// Stops renewing, hands buffered jobs back, and closes the connections. Jobs handed out and
    /// not finished keep their leases until they lapse.
    public func close() async {
        renewal?.cancel()
        for job in fetcher.drain() { try? await release(job) }
        redis.close()
        signalConnection.close()
        readerLock.withLock { readerConnection }?.close()
    }

    /// The connection `OutcomeReader.next` blocks on.
    func blockingReader() -> RedisConnection {
        readerLock.withLock {
            if let readerConnection { return readerConnection }
            let connection = redis.dedicatedConnection()
            readerConnection = connection
            return connection
        }
    }

    // MARK: - Lease renewal

    private func startRenewal() {
        let interval = leaseTTL / 3
        renewal = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let self else { return }
                await self.renewLeases(staleAfter: interval)
            }
        }
    }

    /// As a process killed with SIGKILL would: the leases it holds lapse (for tests).
    func stopRenewingLeases() {
        renewal?.cancel()
    }

    /// One heartbeat of the leases: renews them all (forgetting those lost), hands back buffered jobs
    /// nobody took, and reaps lapsed leases and due retries. Failures wait for the next beat.
    func renewLeases(staleAfter: Duration) async {
        do {
            let ids = held.all
            for start in stride(from: 0, to: ids.count, by: 1000) {
                let chunk = ids[start..<min(start + 1000, ids.count)]
                let reply = try await redis.run(
                    QueueScript.renewLeases,
                    in: keys, args: [RedisArgument(owner), RedisArgument(leaseTTL.milliseconds)] + chunk.map { RedisArgument($0) },
                    idempotent: true)
                // Jobs retried or released since the snapshot lost their lease to us, not to another worker.
                let lost = held.remove(present: Set(try reply.elements(of: QueueScript.renewLeases).compactMap(\.string)))
                guard !lost.isEmpty else { continue }
                logger.warning("lost the leases of \(lost.count) job(s); another worker may run them again")
                fetcher.drop(lost)
            }
            for job in fetcher.takeStale(olderThan: staleAfter) { try await release(job) }
            try await redis.run(QueueScript.reap, in: keys, args: [], idempotent: true)
        } catch {
            logger.warning("renewing job leases failed, trying again in \(staleAfter): \(error)")
        }
    }
}

/// The ids of the jobs this process holds leases on: buffered or handed out, not yet finished.
final class HeldLeases: @unchecked Sendable {
    private let lock = NSLock()
    private var ids = Set<String>()

    func insert(_ new: [String]) { lock.withLock { ids.formUnion(new) } }
    func remove(_ gone: [String]) { lock.withLock { ids.subtract(gone) } }
    /// Removes those of `candidates` still held, and returns them.
    func remove(present candidates: Set<String>) -> Set<String> {
        lock.withLock {
            let present = ids.intersection(candidates)
            ids.subtract(present)
            return present
        }
    }
    var all: [String] { lock.withLock { Array(ids) } }
    var count: Int { lock.withLock { ids.count } }
}
