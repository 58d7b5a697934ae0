/// Something commands can be sent to: one `RedisConnection`, or a `RedisClient`'s pool.
public protocol RedisCommandSender: Sendable {
    /// Runs one command. An error reply comes back as `.error`, not thrown.
    func sendRaw(_ command: RedisCommand) async throws -> RedisValue

    /// Sends `commands` in one write and reads their replies, returned in order. Error replies
    /// come back in place as `.error` values. `idempotent`: the whole pipeline may be resent
    /// after a broken connection (also when every command is marked idempotent).
    func pipeline(_ commands: [RedisCommand], idempotent: Bool) async throws -> [RedisValue]
}

extension RedisCommandSender {
    /// Runs one command; an error reply is thrown as `RedisError.server` naming the command.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RedisValue {
        let reply = try await sendRaw(command)
        if let message = reply.errorMessage { throw RedisError.server(command: command.name, message: message) }
        return reply
    }

    /// Runs one command, e.g. `send("SET", key, bytes)`; an error reply is thrown as `RedisError.server`.
    @discardableResult
    public func send(_ arguments: any RedisArgumentConvertible..., idempotent: Bool = false) async throws -> RedisValue {
        try await send(RedisCommand(arguments, idempotent: idempotent))
    }

    /// `pipeline(_:idempotent:)`, resent after a broken connection only if every command is marked idempotent.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        try await pipeline(commands, idempotent: false)
    }
}
