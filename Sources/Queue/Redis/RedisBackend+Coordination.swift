import Foundation
import Redis

/// Claims, blob locations, registry pauses and slots, shared by every worker of the fleet.
extension RedisBackend: Coordination {
    /// SET NX PX, or a renewal when `holder` holds the claim already (the campaign script).
    public func claim(_ key: String, holder: String, ttl: Duration) async throws -> Bool {
        try await redis.run(QueueScript.campaign, keys: [keys.claim(key)],
                            args: [RedisArgument(holder), RedisArgument(max(1, ttl.milliseconds))],
                            idempotent: true).integer(of: QueueScript.campaign) == 1
    }

    /// Deletes the claim only while `holder` holds it.
    public func release(_ key: String, holder: String) async throws {
        try await redis.run(QueueScript.deleteIfHolder, keys: [keys.claim(key)], args: [RedisArgument(holder)], idempotent: true)
    }

    /// A claim held by this process, once: two claims of one process exclude each other.
    public func claim(_ key: String, ttl: Duration) async throws -> Bool {
        let reply = try await redis.send("SET", keys.claim(key), owner, "NX", "PX", max(1, ttl.milliseconds))
        return !reply.isNull
    }

    /// Deletes the claim only while this process holds it.
    public func release(_ key: String) async throws {
        try await release(key, holder: owner)
    }

    public func recordBlob(registry: String, digest: String, repository: String) async throws {
        try await redis.send(RedisCommand(["SET", keys.blob(registry: registry, digest: digest), repository,
                                           "EX", RedisKeys.blobLocationTTLSeconds], idempotent: true))
    }

    public func blobLocation(registry: String, digest: String) async throws -> String? {
        try await redis.send(RedisCommand(["GET", keys.blob(registry: registry, digest: digest)], idempotent: true)).string
    }

    public func pause(registry: String, until: Double) async throws {
        let milliseconds = Int64((until * 1000).rounded(.up))
        try await redis.run(QueueScript.pause, keys: [keys.pause(registry)],
                            args: [RedisArgument(until), RedisArgument(milliseconds)], idempotent: true)
    }

    public func pausedUntil(registry: String) async throws -> Double? {
        let reply = try await redis.send(RedisCommand(["GET", keys.pause(registry)], idempotent: true))
        guard let until = reply.double, until > Date().timeIntervalSince1970 else { return nil }
        return until
    }

    public func acquireSlot(registry: String, limit: Int, holder: String, ttl: Duration) async throws -> Bool {
        let reply = try await redis.run(QueueScript.acquireSlot, keys: [keys.slots(registry)],
                                        args: [RedisArgument(holder), RedisArgument(limit), RedisArgument(max(1, ttl.milliseconds))],
                                        idempotent: true)
        return try reply.integer(of: QueueScript.acquireSlot) == 1
    }

    public func releaseSlot(registry: String, holder: String) async throws {
        try await redis.send(RedisCommand(["ZREM", keys.slots(registry), holder], idempotent: true))
    }
}
