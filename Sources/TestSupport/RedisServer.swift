#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real `redis-server` on a free loopback port (and optionally a unix socket), with its data in
/// a temporary directory. `restart()` brings it back on the same port and directory, so with
/// `appendOnly` the data survives, as for a production restart.
public final class RedisServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// Keep an append-only file, so data survives `restart()`.
        public var appendOnly: Bool
        /// `requirepass`: the default user's password.
        public var password: String?
        /// An ACL file (users, one a line) the server loads.
        public var aclFile: String?
        /// Also listen on a unix socket, at `unixSocketPath`.
        public var unixSocket: Bool
        public var extraArguments: [String]

        public init(appendOnly: Bool = false, password: String? = nil, aclFile: String? = nil,
                    unixSocket: Bool = false, extraArguments: [String] = []) {
            self.appendOnly = appendOnly
            self.password = password
            self.aclFile = aclFile
            self.unixSocket = unixSocket
            self.extraArguments = extraArguments
        }
    }

    public let port: Int
    public let options: Options
    public let directory: TemporaryDirectory
    private let lock = NSLock()
    private var process: ServiceProcess?
    private var starts = 0

    /// Starts the server and waits until it answers PING.
    public init(_ options: Options = Options()) throws {
        self.options = options
        self.port = FreePort.next()
        self.directory = try TemporaryDirectory(prefix: "redis")
        try start()
    }

    deinit { stop() }

    public var host: String { "127.0.0.1" }
    /// `redis://127.0.0.1:PORT` — without credentials; add them where a test needs them.
    public var url: String { "redis://127.0.0.1:\(port)" }
    public var unixSocketPath: String? { options.unixSocket ? directory.file("redis.sock") : nil }
    public var pid: Int32? { lock.withLock { process?.pid } }
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Starts the server (again) on the same port and data directory; waits until it answers PING.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard process == nil else { return }
        starts += 1
        let arguments = arguments()
        let logPath = directory.file("redis-\(starts).log")
        let started = try ServiceProcess(name: "redis-server", executable: "redis-server", arguments: arguments, logPath: logPath)
        try started.waitUntilReady { Self.answersPing(port: port) }
        process = started
    }

    /// Stops the server by PID (SIGTERM: it flushes its append-only file) and waits for it to exit.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        process?.stop()
        process = nil
    }

    /// Stops and starts the server on the same port and data directory.
    public func restart() throws {
        stop()
        try start()
    }

    public func logTail() -> String {
        lock.withLock { process?.logTail() } ?? "(not running)"
    }

    private func arguments() -> [String] {
        var arguments = ["--bind", "127.0.0.1", "--port", String(port), "--daemonize", "no",
                         "--dir", directory.path, "--save", "", "--appendonly", options.appendOnly ? "yes" : "no"]
        if let password = options.password { arguments += ["--requirepass", password] }
        if let aclFile = options.aclFile { arguments += ["--aclfile", aclFile] }
        if let unixSocketPath { arguments += ["--unixsocket", unixSocketPath, "--unixsocketperm", "700"] }
        return arguments + options.extraArguments
    }

    /// True once the server answers a PING with PONG, or with NOAUTH when it wants a password:
    /// either way it has loaded its data set and serves commands (while loading it answers LOADING).
    static func answersPing(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = FreePort.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        let ping = Array("*1\r\n$4\r\nPING\r\n".utf8)
        guard send(fd, ping, ping.count, Int32(MSG_NOSIGNAL)) == ping.count else { return false }
        var reply = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &reply, reply.count, 0)
        guard count > 0 else { return false }
        let text = String(decoding: reply.prefix(count), as: UTF8.self)
        return text.hasPrefix("+PONG") || text.hasPrefix("-NOAUTH")
    }
}
