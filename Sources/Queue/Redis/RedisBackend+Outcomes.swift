import Foundation
import Redis

/// Outcomes go to a capped stream (read by the reporters' consumer group), to their cycle's list
/// (`enqueue --wait`), and, when failed, into their cycle's failure count — in one script.
extension RedisBackend: OutcomeLog, OutcomeReader {
    /// Entries kept in the outcome stream (approximately: MAXLEN ~).
    static let outcomeStreamLength = 100_000
    /// The consumer group every reporter reads the stream in.
    static let reporterGroup = "reporters"

    public func publish(_ outcome: Outcome) async throws {
        try await redis.run(QueueScript.publishOutcome,
                            keys: [keys.outcomes, keys.cycleOutcomes(outcome.cycle), keys.cycle(outcome.cycle)],
                            args: [try JSONEncoder.sorted.encode(outcome).redisArgument, RedisArgument(outcome.status == .failed ? "1" : "0"),
                                   RedisArgument(Self.outcomeStreamLength), RedisArgument(RedisKeys.cycleTTLSeconds)],
                            idempotent: false)
    }

    /// Reads with XREADGROUP on a connection of its own (it blocks up to `timeout`) and acknowledges
    /// what it read. Entries delivered to `consumer` before but never acknowledged (the reply was
    /// lost with the connection) come first.
    public func next(consumer: String, timeout: Duration) async throws -> [Outcome] {
        let connection = blockingReader()
        let unacknowledged = try await read(on: connection, consumer: consumer, after: "0", block: nil)
        if !unacknowledged.isEmpty { return unacknowledged }
        return try await read(on: connection, consumer: consumer, after: ">", block: timeout)
    }

    public func outcomes(cycle: String) async throws -> [Outcome] {
        let reply = try await redis.send(RedisCommand(["LRANGE", keys.cycleOutcomes(cycle), 0, -1], idempotent: true))
        return try (reply.array ?? []).map { try JSONDecoder().decode(Outcome.self, from: Data($0.data)) }
    }

    public func failureCount(cycle: String) async throws -> Int {
        try await redis.send(RedisCommand(["HGET", keys.cycle(cycle), "failures"], idempotent: true)).int ?? 0
    }

    private func read(on connection: RedisConnection, consumer: String, after id: String, block: Duration?) async throws -> [Outcome] {
        var arguments: [RedisArgument] = ["XREADGROUP", "GROUP", RedisArgument(Self.reporterGroup), RedisArgument(consumer), "COUNT", 500]
        if let block, block > .zero { arguments += ["BLOCK", RedisArgument(block.milliseconds)] }
        arguments += ["STREAMS", RedisArgument(keys.outcomes), RedisArgument(id)]
        let command = RedisCommand(arguments)
        var reply = try await connection.sendRaw(command)
        if reply.errorMessage?.hasPrefix("NOGROUP") == true {
            try await createReporterGroup()
            reply = try await connection.sendRaw(command)
        }
        if let message = reply.errorMessage { throw RedisError.server(command: "XREADGROUP", message: message) }
        let entries = reply[0]?[1]?.array ?? []  // [[stream, [[id, [field, value, ...]], ...]]], or nil
        guard !entries.isEmpty else { return [] }
        var outcomes: [Outcome] = []
        var ids: [RedisArgument] = []
        for entry in entries {
            guard let entryID = entry[0]?.bytes else { continue }
            ids.append(RedisArgument(entryID))
            // A trimmed entry still pending comes back without fields: acknowledged, nothing to read.
            guard let fields = entry[1]?.array, fields.count >= 2 else { continue }
            do {
                outcomes.append(try JSONDecoder().decode(Outcome.self, from: Data(fields[1].data)))
            } catch {
                logger.warning("skipping an unreadable outcome \(String(decoding: entryID, as: UTF8.self)): \(error)")
            }
        }
        try await redis.send(RedisCommand(["XACK", RedisArgument(keys.outcomes), RedisArgument(Self.reporterGroup)] + ids, idempotent: true))
        return outcomes
    }

    /// The group starts at the stream's beginning, so outcomes published before the first reporter are read.
    private func createReporterGroup() async throws {
        let reply = try await redis.sendRaw(["XGROUP", "CREATE", keys.outcomes, Self.reporterGroup, "0", "MKSTREAM"])
        if let message = reply.errorMessage, !message.hasPrefix("BUSYGROUP") {
            throw RedisError.server(command: "XGROUP CREATE", message: message)
        }
    }
}
