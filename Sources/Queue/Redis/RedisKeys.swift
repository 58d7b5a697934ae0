/// Where the Redis backend keeps its state. Every key starts with `{<prefix>}:`, one hash tag, so
/// that all of them live in one slot of a Redis Cluster (the Lua scripts touch many at once), and
/// two prefixes in one Redis never see each other's keys.
///
/// | key                              | type   | holds                                                   |
/// |----------------------------------|--------|---------------------------------------------------------|
/// | `job:<id>`                       | hash   | kind, cycle, unique, group, attempts, payload (JSON),   |
/// |                                  |        | enqueued (ms), owner + leased (ms) while leased,        |
/// |                                  |        | groupFailure (continuation), failure + died (dead),     |
/// |                                  |        | formerGroup (dead, for requeue_dead)                    |
/// | `pending:<kind>`                 | list   | ready job ids, one list per `JobKind`                   |
/// | `leases`                         | zset   | leased job id → lease deadline (ms)                     |
/// | `delayed`                        | zset   | retried job id → due time (ms)                          |
/// | `dead`                           | zset   | dead job id → time of death (ms)                        |
/// | `signal`                         | list   | wake-up tokens for takers blocked in BLPOP              |
/// | `stats`                          | hash   | retries                                                 |
/// | `group:<id>`                     | hash   | remaining, continuation (job id), failure (first)       |
/// | `cycle:<cycle>`                  | hash   | outstanding (jobs not finished), failures (outcomes)    |
/// | `cycle:<cycle>:unique`           | set    | unique keys enqueued in the cycle                       |
/// | `cycle:<cycle>:outcomes`         | list   | the cycle's outcomes (JSON)                             |
/// | `outcomes`                       | stream | every outcome, read by the reporters' consumer group    |
/// | `leader`                         | string | the scheduler holding the leader lease                  |
/// | `halt`                           | string | `HaltState` JSON while the fleet is halted              |
/// | `workers` / `workers:info`       | zset / hash | worker id → heartbeat expiry (ms) / `WorkerInfo` JSON |
/// | `counters`                       | hash   | fleet-wide counters                                     |
/// | `claim:<key>`                    | string | the owner of a transfer claim                           |
/// | `blob:<registry>:<digest>`       | string | a repository of the registry holding the blob           |
/// | `pause:<registry>`               | string | paused until (s since 1970)                             |
/// | `slots:<registry>`               | zset   | holder → slot expiry (ms)                               |
///
/// The scripts build `job:`, `pending:`, `group:` and `cycle:` names from the prefix themselves.
/// Per-cycle keys expire a day after their last change; blob locations after `blobLocationTTL`.
public struct RedisKeys: Sendable, Hashable {
    /// `{<prefix>}`: the hash tag every key starts with.
    public let tag: String

    public static let cycleTTLSeconds = 86_400
    public static let blobLocationTTLSeconds = 7 * 86_400

    /// `prefix` may not contain braces: they would break the hash tag.
    public init(prefix: String) throws {
        guard !prefix.isEmpty, !prefix.contains("{"), !prefix.contains("}") else {
            throw RedisQueueError.invalidPrefix(prefix)
        }
        tag = "{\(prefix)}"
    }

    func pending(_ kind: JobKind) -> String { "\(tag):pending:\(kind.rawValue)" }
    var leases: String { "\(tag):leases" }
    var delayed: String { "\(tag):delayed" }
    var dead: String { "\(tag):dead" }
    var signal: String { "\(tag):signal" }
    func job(_ id: String) -> String { "\(tag):job:\(id)" }
    func cycle(_ cycle: String) -> String { "\(tag):cycle:\(cycle)" }
    func cycleOutcomes(_ cycle: String) -> String { "\(tag):cycle:\(cycle):outcomes" }
    var outcomes: String { "\(tag):outcomes" }
    var leader: String { "\(tag):leader" }
    var halt: String { "\(tag):halt" }
    var workers: String { "\(tag):workers" }
    var workerInfo: String { "\(tag):workers:info" }
    var counters: String { "\(tag):counters" }
    func claim(_ key: String) -> String { "\(tag):claim:\(key)" }
    func blob(registry: String, digest: String) -> String { "\(tag):blob:\(registry):\(digest)" }
    func pause(_ registry: String) -> String { "\(tag):pause:\(registry)" }
    func slots(_ registry: String) -> String { "\(tag):slots:\(registry)" }
}
