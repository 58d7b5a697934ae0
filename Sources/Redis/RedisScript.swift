import Crypto

/// A Lua script, run by its SHA-1 digest (EVALSHA) so its source crosses the network only when
/// the server does not have it cached yet.
public struct RedisScript: Sendable, Hashable {
    /// A name for messages (`EVALSHA ack`); the source is never shown.
    public let name: String?
    public let source: String
    /// Lowercase hex SHA-1 of `source`: the digest SCRIPT LOAD answers and EVALSHA takes.
    public let sha1: String

    public init(name: String? = nil, _ source: String) {
        self.name = name
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

extension RedisCommandSender {
    /// Runs `script` with EVALSHA. When the server answers NOSCRIPT (after a restart, a failover
    /// or SCRIPT FLUSH) the script is loaded and run again: NOSCRIPT means it did not run, so
    /// the retry is safe. An error raised by the script is thrown as `RedisError.server`.
    @discardableResult
    public func evalsha(_ script: RedisScript, keys: [any RedisArgumentConvertible] = [],
                        args: [any RedisArgumentConvertible] = []) async throws -> RedisValue {
        try await evalsha(script, command: RedisCommand(["EVALSHA", script.sha1, keys.count] + keys + args))
    }

    /// `evalsha` for prepared arguments; `idempotent` when running the script twice is harmless,
    /// so that the connection may resend it after it broke mid-command.
    @discardableResult
    public func evalsha(_ script: RedisScript, keys: [RedisArgument], args: [RedisArgument], idempotent: Bool) async throws -> RedisValue {
        var arguments: [RedisArgument] = ["EVALSHA", RedisArgument(script.sha1), RedisArgument(keys.count)]
        arguments.reserveCapacity(3 + keys.count + args.count)
        arguments += keys
        arguments += args
        return try await evalsha(script, command: RedisCommand(arguments, idempotent: idempotent))
    }

    private func evalsha(_ script: RedisScript, command: RedisCommand) async throws -> RedisValue {
        let name = script.name.map { "EVALSHA \($0)" } ?? "EVALSHA"
        var reply = try await sendRaw(command)
        if let message = reply.errorMessage, message.hasPrefix("NOSCRIPT") {
            try await load(script)
            reply = try await sendRaw(command)
        }
        if let message = reply.errorMessage { throw RedisError.server(command: name, message: message) }
        return reply
    }

    /// Caches `script` on the server (SCRIPT LOAD), checking the server computed the same digest.
    public func load(_ script: RedisScript) async throws {
        let reply = try await send(RedisCommand(["SCRIPT", "LOAD", script.source], idempotent: true))
        guard reply.string == script.sha1 else {
            throw RedisError.unexpectedReply(command: "SCRIPT LOAD", reply: "\(reply), expected \(script.sha1)")
        }
    }
}
