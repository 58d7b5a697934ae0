import Foundation

/// A small pool of `RedisConnection`s, each on its own thread, so that many concurrent callers
/// proceed in parallel. Each command goes to the connection with the fewest commands in flight,
/// so one caller's slow or blocking command does not hold up the others while a connection is free.
/// Long blocking loops (BLMOVE, XREADGROUP BLOCK) belong on a `dedicatedConnection()`.
public final class RedisClient: RedisCommandSender, @unchecked Sendable {
    public let options: RedisOptions
    private let connections: [RedisConnection]
    private let lock = NSLock()
    private var inFlight: [Int]
    private var nextStart = 0

    /// `poolSize` connections (at least one); they connect on first use.
    public init(options: RedisOptions, poolSize: Int = 4) {
        let size = max(1, poolSize)
        self.options = options
        self.connections = (0..<size).map { _ in RedisConnection(options: options) }
        self.inFlight = Array(repeating: 0, count: size)
    }

    public convenience init(url: String, poolSize: Int = 4) throws {
        self.init(options: try RedisOptions(url: url), poolSize: poolSize)
    }

    public var endpoint: String { options.url.description }
    public var poolSize: Int { connections.count }

    /// Connects every pooled connection now, so that a wrong URL or password surfaces here.
    public func connect() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections { group.addTask { try await connection.connect() } }
            try await group.waitForAll()
        }
    }

    public func sendRaw(_ command: RedisCommand) async throws -> RedisValue {
        try await withLeastBusy { try await $0.sendRaw(command) }
    }

    public func pipeline(_ commands: [RedisCommand], idempotent: Bool) async throws -> [RedisValue] {
        try await withLeastBusy { try await $0.pipeline(commands, idempotent: idempotent) }
    }

    /// A new connection outside the pool, with the same options, for blocking commands or
    /// anything that needs one connection's state. The caller owns it; it closes when released.
    public func dedicatedConnection() -> RedisConnection {
        RedisConnection(options: options)
    }

    public func close() {
        for connection in connections { connection.close() }
    }

    private func withLeastBusy<T>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        let index = reserve()
        defer { release(index) }
        return try await body(connections[index])
    }

    /// The connection with the fewest commands in flight, ties broken round-robin.
    private func reserve() -> Int {
        lock.lock()
        defer { lock.unlock() }
        var best = nextStart
        for offset in 0..<inFlight.count {
            let index = (nextStart + offset) % inFlight.count
            if inFlight[index] < inFlight[best] { best = index }
        }
        inFlight[best] += 1
        nextStart = (best + 1) % inFlight.count
        return best
    }

    private func release(_ index: Int) {
        lock.lock()
        inFlight[index] -= 1
        lock.unlock()
    }
}
