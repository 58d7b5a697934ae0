import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// Why talking to the server failed, in the terms the resend rule needs.
enum IOFailure: Error {
    /// Nothing that could run reached the server: connecting failed, or a write failed before a
    /// whole command went out.
    case notSent(String)
    /// A pipeline write failed midway: its first commands may have run.
    case partlySent(String)
    /// The command went out; its reply did not come back.
    case noReply(String, timedOut: Bool)

    var reason: String {
        switch self {
        case .notSent(let reason), .partlySent(let reason), .noReply(let reason, _): return reason
        }
    }
}

/// One blocking hiredis context: the only place that calls hiredis. Not thread-safe; used only
/// on its connection's thread.
final class HiredisContext {
    private let raw: UnsafeMutablePointer<redisContext>

    private init(_ raw: UnsafeMutablePointer<redisContext>) { self.raw = raw }

    deinit { redisFree(raw) }

    static func connect(_ endpoint: RedisURL.Endpoint, timeout: Duration) throws -> HiredisContext {
        let limit = timeval(timeout)
        let connected: UnsafeMutablePointer<redisContext>?
        switch endpoint {
        case .tcp(let host, let port): connected = redisConnectWithTimeout(host, Int32(port), limit)
        case .unix(let path): connected = redisConnectUnixWithTimeout(path, limit)
        }
        guard let connected else { throw IOFailure.notSent("cannot allocate a hiredis context") }
        let context = HiredisContext(connected)
        if case .tcp = endpoint {
            _ = redisEnableKeepAlive(connected)  // notices a vanished peer during long blocking reads
        }
        if connected.pointee.err != 0 { throw IOFailure.notSent(context.errorText) }
        return context
    }

    /// Sets the socket's send and receive timeouts.
    func setTimeout(_ duration: Duration) throws {
        guard redisSetTimeout(raw, timeval(duration)) == REDIS_OK else { throw IOFailure.notSent(errorText) }
    }

    /// True when the server closed this idle connection (or it broke): between commands a RESP2
    /// connection has nothing to read, so anything readable means EOF, an error or a desync.
    /// Checked before writing so that a restart is noticed before a command is sent into it.
    var isStale: Bool {
        var poller = pollfd(fd: raw.pointee.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) != 0 else { return false }
        return true
    }

    /// Sends `commands` (one or a pipeline) in full.
    func write(_ commands: [RedisCommand]) throws {
        for command in commands { try append(command.arguments) }
        let total = chiredis_pending_output(raw)
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(raw, &done) == REDIS_OK else {
                let nothingSent = commands.count == 1 || chiredis_pending_output(raw) == total
                throw nothingSent ? IOFailure.notSent(errorText) : IOFailure.partlySent(errorText)
            }
        }
    }

    /// Reads the next reply, blocking up to the socket timeout.
    func readReply() throws -> RedisValue {
        var reply: UnsafeMutableRawPointer?
        errno = 0
        guard redisGetReply(raw, &reply) == REDIS_OK, let reply else {
            let timedOut = raw.pointee.err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
            throw IOFailure.noReply(timedOut ? "read timed out" : errorText, timedOut: timedOut)
        }
        defer { freeReplyObject(reply) }
        return RedisValue(reply: reply.assumingMemoryBound(to: redisReply.self))
    }

    /// Appends one command to hiredis's output buffer. The arguments are laid out in one buffer
    /// and passed with explicit lengths, so any byte (`\0`, `\r\n`) goes through unchanged.
    private func append(_ arguments: [RedisArgument]) throws {
        var flat = arguments.flatMap(\.bytes)
        flat.append(0)  // never an empty buffer, so its base address exists
        let status = flat.withUnsafeBufferPointer { buffer -> Int32 in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(arguments.count)
            for argument in arguments {
                pointers.append(base + offset)
                offset += argument.bytes.count
            }
            let lengths = arguments.map(\.bytes.count)
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisAppendCommandArgv(raw, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard status == REDIS_OK else { throw IOFailure.notSent(errorText) }
    }

    private var errorText: String {
        let text = withUnsafeBytes(of: raw.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "hiredis error \(raw.pointee.err)" : text
    }
}

private extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
