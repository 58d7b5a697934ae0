import Redis

extension RedisCommandSender {
    /// Runs `script`, marked `idempotent` when running it twice is harmless — the transitions that
    /// check the lease first — so that the connection may resend it after it broke mid-command.
    @discardableResult
    func run(_ script: RedisScript, keys: [String] = [], args: [RedisArgument], idempotent: Bool) async throws -> RedisValue {
        try await evalsha(script, keys: keys.map { RedisArgument($0) }, args: args, idempotent: idempotent)
    }
}

/// Reading script replies into values.
extension RedisValue {
    /// The elements of an array reply, or an `unexpectedReply` error naming `script`.
    func elements(of script: RedisScript) throws -> [RedisValue] {
        guard let elements = array else { throw RedisQueueError.unexpectedReply(script: script.name ?? "", reply: "\(self)") }
        return elements
    }

    func integer(of script: RedisScript) throws -> Int {
        guard let value = int else { throw RedisQueueError.unexpectedReply(script: script.name ?? "", reply: "\(self)") }
        return value
    }

    /// A bulk string's bytes as `Data` (empty for anything else).
    var data: [UInt8] { bytes ?? [] }

    /// A bulk string as text, nil when empty (the scripts answer '' for a missing field).
    var nonEmptyString: String? {
        guard let text = string, !text.isEmpty else { return nil }
        return text
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a short positive duration never becomes 0.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension RedisCommandSender {
    /// Runs one of the queue's scripts: the key prefix goes first in ARGV (the scripts build the
    /// per-job and per-cycle key names from it), and the leases key is declared as KEYS[1], so
    /// that a Cluster-aware client routes the script to the slot that every key of `keys` shares.
    @discardableResult
    func run(_ script: RedisScript, in keys: RedisKeys, args: [RedisArgument], idempotent: Bool) async throws -> RedisValue {
        try await run(script, keys: [keys.leases], args: [RedisArgument(keys.tag)] + args, idempotent: idempotent)
    }
}
