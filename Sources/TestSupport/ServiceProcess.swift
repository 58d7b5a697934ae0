#if canImport(Glibc)
import Glibc
#endif
import Foundation

public struct ServiceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A real server program run by a test: started in its own process group, its output captured
/// to a log file, and stopped by PID when released, when `stop()` is called, or when the test
/// process exits — even after a failed test.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let logPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Starts `executable` with `arguments`; stdout and stderr go to `logPath`.
    public init(name: String, executable: String, arguments: [String], environment: [String: String]? = nil,
                workingDirectory: String? = nil, logPath: String) throws {
        self.name = name
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.resolve(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try Self.spawnWithDefaultSignalMask(process)
        try? log.close()
        ServiceRegistry.shared.add(process.processIdentifier)
    }

    /// Waits until `ready()` holds, polling; fails with the service's log if it exits or times out.
    public func waitUntil(timeout: TimeInterval = 30, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var delay: useconds_t = 2_000
        while Date() < deadline {
            if ready() { return }
            guard process.isRunning else {
                throw ServiceError("\(name) exited with status \(process.terminationStatus) before it was ready:\n\(logTail())")
            }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
        throw ServiceError("\(name) was not ready after \(Int(timeout)) s:\n\(logTail())")
    }

    /// `waitUntil` for a service just started: one that never gets ready is stopped before the
    /// error is thrown, so a failed start leaves no server behind (or holding its port).
    public func waitUntilReady(timeout: TimeInterval = 30, _ ready: () -> Bool) throws {
        do {
            try waitUntil(timeout: timeout, ready)
        } catch {
            stop()
            throw error
        }
    }

    /// Waits until the service accepts TCP connections on 127.0.0.1:`port`.
    public func waitForPort(_ port: Int, timeout: TimeInterval = 30) throws {
        try waitUntil(timeout: timeout) { FreePort.isAccepting(port) }
    }

    public func logTail(_ bytes: Int = 4000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log)" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    public func log() -> String {
        FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
    public func stop(grace: TimeInterval = 5) {
        lock.lock(); defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(5_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        ServiceRegistry.shared.remove(pid)
    }

    /// SIGKILL now, as a crash would.
    public func kill9() {
        lock.lock(); defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        ServiceRegistry.shared.remove(process.processIdentifier)
    }

    deinit { stop(grace: 2) }

    /// Starts `process` from a fresh thread whose signal mask is empty. A child inherits the spawning
    /// thread's mask, and Swift concurrency's threads block SIGTERM: a server (or docker-sync itself)
    /// spawned straight from an async test would ignore `stop()`.
    public static func spawnWithDefaultSignalMask(_ process: Process) throws {
        let outcome = SpawnResult()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            outcome.error = Result { try process.run() }.failure
            done.signal()
        }
        thread.start()
        done.wait()
        if let error = outcome.error { throw error }
    }

    static func resolve(_ executable: String) throws -> String {
        if executable.hasPrefix("/") { return executable }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ServiceError("\(executable) is not installed (run ops/install-deps.sh)")
    }
}

/// Every service PID still alive, killed when the test process exits.
final class ServiceRegistry: @unchecked Sendable {
    static let shared = ServiceRegistry()
    private let lock = NSLock()
    private var pids = Set<Int32>()

    private init() {
        atexit { ServiceRegistry.shared.killAll() }
    }

    func add(_ pid: Int32) { lock.lock(); pids.insert(pid); lock.unlock() }
    func remove(_ pid: Int32) { lock.lock(); pids.remove(pid); lock.unlock() }

    func killAll() {
        lock.lock(); let all = pids; pids.removeAll(); lock.unlock()
        for pid in all { kill(pid, SIGKILL) }
    }
}

/// Paths inside the source tree, for the scripts the test support ships.
public enum SourceTree {
    /// The package root (the directory holding Package.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static func script(_ name: String) -> String { "\(root)/Sources/TestSupport/Scripts/\(name)" }
}

private final class SpawnResult: @unchecked Sendable {
    var error: Error?
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { return error } else { return nil } }
}
