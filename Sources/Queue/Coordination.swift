import Foundation

/// State the workers share beyond the queue: who is copying which blob, where blobs already
/// are, and which registries are paused after a 429. In memory for one process, in Redis for the fleet.
public protocol Coordination: Sendable {
    /// True when `holder` (a job id) now owns the transfer of `key` for `ttl`, also when it held it
    /// already: a job re-delivered after its worker died takes over the claim that worker left.
    /// False when another holds it.
    func claim(_ key: String, holder: String, ttl: Duration) async throws -> Bool
    /// Gives up the claim of `key` if `holder` holds it.
    func release(_ key: String, holder: String) async throws
    /// Remembers that `repository` of `registry` holds `digest`, as a mount source for others.
    func recordBlob(registry: String, digest: String, repository: String) async throws
    func blobLocation(registry: String, digest: String) async throws -> String?
    /// Pauses every request to `registry` until `until` (seconds since 1970).
    func pause(registry: String, until: Double) async throws
    func pausedUntil(registry: String) async throws -> Double?
    /// Takes one of `limit` slots of `registry` for `holder` (for at most `ttl`); false when all are taken.
    func acquireSlot(registry: String, limit: Int, holder: String, ttl: Duration) async throws -> Bool
    func releaseSlot(registry: String, holder: String) async throws
}

public actor MemoryCoordination: Coordination {
    private var claims: [String: (holder: String, expiry: ContinuousClock.Instant)] = [:]
    private var locations: [String: String] = [:]
    private var pauses: [String: Double] = [:]
    private var slots: [String: Set<String>] = [:]

    public init() {}

    public func claim(_ key: String, holder: String, ttl: Duration) -> Bool {
        let now = ContinuousClock.now
        if let claim = claims[key], claim.expiry > now, claim.holder != holder { return false }
        claims[key] = (holder, now.advanced(by: ttl))
        return true
    }

    public func release(_ key: String, holder: String) {
        if claims[key]?.holder == holder { claims.removeValue(forKey: key) }
    }

    public func recordBlob(registry: String, digest: String, repository: String) {
        locations["\(registry)/\(digest)"] = repository
    }

    public func blobLocation(registry: String, digest: String) -> String? { locations["\(registry)/\(digest)"] }

    public func pause(registry: String, until: Double) {
        pauses[registry] = max(pauses[registry] ?? 0, until)
    }

    public func pausedUntil(registry: String) -> Double? {
        guard let until = pauses[registry], until > Date().timeIntervalSince1970 else { return nil }
        return until
    }

    public func acquireSlot(registry: String, limit: Int, holder: String, ttl: Duration) -> Bool {
        var held = slots[registry, default: []]
        guard held.contains(holder) || held.count < limit else { return false }
        held.insert(holder)
        slots[registry] = held
        return true
    }

    public func releaseSlot(registry: String, holder: String) {
        slots[registry]?.remove(holder)
    }
}

/// Collects outcomes in memory and hands them to a callback as they come (the embedded reporter).
public actor MemoryOutcomeLog: OutcomeLog {
    public private(set) var outcomes: [Outcome] = []
    private let onOutcome: @Sendable (Outcome) -> Void

    public init(onOutcome: @escaping @Sendable (Outcome) -> Void = { _ in }) { self.onOutcome = onOutcome }

    public func publish(_ outcome: Outcome) {
        outcomes.append(outcome)
        onOutcome(outcome)
    }
}
