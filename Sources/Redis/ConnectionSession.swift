/// A connection's state and its recovery policy, confined to the connection's thread.
///
/// When to send a command again (the resend rule):
/// - A failure before the command could run — connecting, the handshake, a write that broke
///   before one whole command went out, or a connection found closed before writing — is
///   retried with capped exponential backoff until the command's deadline, then surfaces as
///   `RedisError.unavailable` (retryable, not applied).
/// - A failure after the command went out (EOF, reset, read timeout before the reply) means it
///   may have run. It is resent only when the caller marked it idempotent; otherwise it surfaces
///   at once as `connectionLost` / `timeout`, and the caller, who knows the command, decides.
final class ConnectionSession {
    let options: RedisOptions
    let endpoint: String
    private var context: HiredisContext?

    init(options: RedisOptions) {
        self.options = options
        self.endpoint = options.url.description
    }

    /// Sends `commands` as one pipeline and returns their replies in order; error replies are
    /// values. Blocks the calling thread: only ever called on the connection's own thread.
    func run(_ commands: [RedisCommand], idempotent: Bool, deadline: CommandDeadline) throws -> [RedisValue] {
        let readTimeout = try commands.readTimeout(base: options.readTimeout)
        var attempt = 0
        while true {
            if deadline.isCancelled { throw CancellationError() }
            do {
                let context = try connected()
                return try exchange(commands, on: context, readTimeout: readTimeout)
            } catch let failure as IOFailure {
                if context != nil { disconnect(reason: failure.reason) }
                let mayResend: Bool
                if case .notSent = failure { mayResend = true } else { mayResend = idempotent }
                let error = redisError(failure, command: commands.pipelineName, deadline: deadline, readTimeout: readTimeout)
                guard mayResend, !deadline.hasPassed else { throw error }
                let delay = options.backoff.delay(afterAttempt: attempt)
                options.onEvent?(.retrying(endpoint: endpoint, attempt: attempt, reason: failure.reason, retryIn: delay))
                guard deadline.pause(for: delay) else { throw CancellationError() }
                attempt += 1
            }
        }
    }

    /// Establishes the connection now (for callers who want credentials checked up front).
    func connect(deadline: CommandDeadline) throws {
        _ = try run([["PING"]], idempotent: true, deadline: deadline)
    }

    func disconnect(reason: String? = nil) {
        guard context != nil else { return }
        context = nil
        if let reason { options.onEvent?(.disconnected(endpoint: endpoint, reason: reason)) }
    }

    private func exchange(_ commands: [RedisCommand], on context: HiredisContext, readTimeout: Duration) throws -> [RedisValue] {
        let raised = readTimeout != options.readTimeout
        if raised { try context.setTimeout(readTimeout) }
        try context.write(commands)
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try context.readReply()) }
        if raised, (try? context.setTimeout(options.readTimeout)) == nil { disconnect() }
        return replies
    }

    /// The open connection, after making sure the server has not closed it; a fresh one, with
    /// its handshake done, otherwise.
    private func connected() throws -> HiredisContext {
        if let context {
            guard context.isStale else { return context }
            disconnect(reason: "closed by the server")
        }
        let fresh = try HiredisContext.connect(options.url.endpoint, timeout: options.connectTimeout)
        try fresh.setTimeout(options.readTimeout)
        try handshake(fresh)
        context = fresh
        options.onEvent?(.connected(endpoint: endpoint))
        return fresh
    }

    /// AUTH, SELECT and a PING, so that a server still loading its data set, or one that needs a
    /// password the URL lacks, is noticed before any command is sent.
    private func handshake(_ context: HiredisContext) throws {
        let url = options.url
        if let password = url.password {
            var auth: RedisCommand = ["AUTH", password]
            if let username = url.username { auth = ["AUTH", username, password] }
            try expectOK(try handshakeReply(auth, context), step: "AUTH")
        }
        if url.database != 0 {
            try expectOK(try handshakeReply(["SELECT", url.database], context), step: "SELECT")
        }
        try expectOK(try handshakeReply(["PING"], context), step: "PING")
    }

    /// A handshake reply; an I/O failure in the handshake counts as not sent (no user command went out).
    private func handshakeReply(_ command: RedisCommand, _ context: HiredisContext) throws -> RedisValue {
        do {
            try context.write([command])
            return try context.readReply()
        } catch let failure as IOFailure {
            throw IOFailure.notSent(failure.reason)
        }
    }

    private func expectOK(_ reply: RedisValue, step: String) throws {
        guard let message = reply.errorMessage else { return }
        let code = message.prefix { $0 != " " }
        if code == "LOADING" || code == "BUSY" { throw IOFailure.notSent(message) }  // transient: retry
        if step == "AUTH" || code == "NOAUTH" || code == "WRONGPASS" || code == "NOPERM" {
            throw RedisError.authenticationFailed(endpoint: endpoint, user: options.url.username, message: message)
        }
        throw RedisError.handshakeFailed(endpoint: endpoint, command: step, message: message)
    }

    private func redisError(_ failure: IOFailure, command: String, deadline: CommandDeadline, readTimeout: Duration) -> RedisError {
        switch failure {
        case .notSent(let reason):
            return .unavailable(endpoint: endpoint, command: command, waited: deadline.waited, reason: reason)
        case .partlySent(let reason), .noReply(let reason, timedOut: false):
            return .connectionLost(endpoint: endpoint, command: command, reason: reason)
        case .noReply(_, timedOut: true):
            return .timeout(endpoint: endpoint, command: command, after: readTimeout)
        }
    }
}
