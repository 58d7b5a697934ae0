/// One connection to Redis, owned by a thread of its own: hiredis's blocking calls run there,
/// never on Swift's cooperative pool, and async callers await them. Commands from concurrent
/// callers are sent one after another, in submission order.
///
/// Connects lazily (or on `connect()`), reconnects with capped exponential backoff when the
/// server goes away, and resends a command only when that is safe: see `ConnectionSession`
/// for the rule. Use one of its own for blocking commands (BLMOVE, XREADGROUP BLOCK, ...),
/// e.g. from `RedisClient.dedicatedConnection()`.
public final class RedisConnection: RedisCommandSender, @unchecked Sendable {
    public let options: RedisOptions
    private let thread: RedisThread
    private let session: ConnectionSession

    public init(options: RedisOptions) {
        self.options = options
        self.session = ConnectionSession(options: options)
        self.thread = RedisThread(name: "redis \(options.url)")
    }

    public convenience init(url: String) throws {
        self.init(options: try RedisOptions(url: url))
    }

    deinit { close() }

    /// The server, as a URL with the password redacted.
    public var endpoint: String { session.endpoint }

    /// Connects and authenticates now, so that a wrong URL or password surfaces here.
    public func connect() async throws {
        try await onThread { session, deadline in try session.connect(deadline: deadline) }
    }

    public func sendRaw(_ command: RedisCommand) async throws -> RedisValue {
        try await run([command], idempotent: command.isIdempotent)[0]
    }

    public func pipeline(_ commands: [RedisCommand], idempotent: Bool) async throws -> [RedisValue] {
        try await run(commands, idempotent: idempotent || commands.allSatisfy(\.isIdempotent))
    }

    /// Disconnects once the commands already submitted are done; later commands throw `.closed`.
    public func close() {
        _ = thread.submit { [session] in session.disconnect() }
        thread.shutDown()
    }

    private func run(_ commands: [RedisCommand], idempotent: Bool) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        for command in commands where command.arguments.isEmpty {
            throw RedisError.invalidCommand(command: command.name, reason: "a command needs at least its name")
        }
        return try await onThread { session, deadline in
            try session.run(commands, idempotent: idempotent, deadline: deadline)
        }
    }

    /// Runs `body` on the connection's thread and awaits its result. Cancelling the awaiting task
    /// skips a command not yet started and stops a reconnect wait; a command already sent is
    /// waited for, so that the connection stays in step with the server.
    private func onThread<T: Sendable>(_ body: @escaping @Sendable (ConnectionSession, CommandDeadline) throws -> T) async throws -> T {
        let deadline = CommandDeadline(after: options.reconnectDeadline)
        let session = self.session
        let endpoint = self.endpoint
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
                let accepted = thread.submit {
                    continuation.resume(with: Result { try body(session, deadline) })
                }
                if !accepted { continuation.resume(throwing: RedisError.closed(endpoint: endpoint)) }
            }
        } onCancel: {
            deadline.cancel()
        }
    }
}
