#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// The built `docker-sync` executable, run as a user runs it: its own process, its exit status,
/// its stdout and stderr, and its peak memory.
enum DockerSyncBinary {
    /// Runs `docker-sync ARGUMENTS` to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil,
                    timeout: TimeInterval = 300) throws -> ChildProcess.Result {
        let child = try start(arguments, environment: environment, in: directory)
        return try child.wait(timeout: timeout)
    }

    /// Starts `docker-sync ARGUMENTS`; `HOME` is a fresh directory unless given, so no user config
    /// is picked up, and no `DOCKER_SYNC_*` variable of the test's environment leaks in.
    static func start(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws -> ChildProcess {
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DOCKER_SYNC_") }
        base["HOME"] = isolatedHome.path
        return try ChildProcess(executable: try DockerSyncExecutable.path(), arguments: arguments,
                                environment: base.merging(environment) { $1 }, directory: directory ?? isolatedHome.path)
    }

    private static let isolatedHome: TemporaryDirectory = try! TemporaryDirectory(prefix: "docker-sync-home")
}

/// A child process started with `posix_spawn`, its output read as it comes, reaped with `wait4`
/// so its own peak RSS (not that of other children of the test process) is known.
final class ChildProcess: @unchecked Sendable {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Peak resident set size of docker-sync itself, bytes: the highest `VmHWM` sampled while it ran.
        /// (`ru_maxrss` would also count the test process: posix_spawn shares its memory until the exec,
        /// and Linux carries that high-water mark over the exec.)
        let maxRSS: Int
        var output: String { stdout + stderr }
    }

    let pid: pid_t
    private let condition = NSCondition()
    private var stdoutData = Data()
    private var stderrData = Data()
    private var openStreams = 2
    private var result: Result?

    init(executable: String, arguments: [String], environment: [String: String], directory: String) throws {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw ServiceError("pipe: \(errno)") }
        // Our ends must not leak into processes other threads spawn meanwhile (they would hold the pipes open).
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        // `env -C DIR` changes directory and execs: the same process, so wait4 measures docker-sync itself.
        let argv = (["/usr/bin/env", "-C", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        close(out[1]); close(err[1])
        guard spawned == 0 else {
            close(out[0]); close(err[0])
            throw ServiceError("posix_spawn \(executable): \(spawned)")
        }
        self.pid = pid
        sampleHighWaterMark()
        read(out[0]) { self.stdoutData.append($0) }
        read(err[0]) { self.stderrData.append($0) }
    }

    deinit {
        if result == nil { kill(pid, SIGKILL); _ = try? wait(timeout: 10) }
    }

    var stdout: String { condition.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    var output: String { condition.withLock { String(decoding: stdoutData + stderrData, as: UTF8.self) } }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Blocks until stdout or stderr contains `text` (`count` times); fails if the process ends first or `timeout` passes.
    func waitForOutput(_ text: String, count: Int = 1, timeout: TimeInterval = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while String(decoding: stdoutData + stderrData, as: UTF8.self).components(separatedBy: text).count - 1 < count {
            guard openStreams > 0 else {
                throw ServiceError("docker-sync ended without printing \"\(text)\":\n\(String(decoding: stdoutData + stderrData, as: UTF8.self))")
            }
            guard condition.wait(until: deadline) else {
                throw ServiceError("docker-sync did not print \"\(text)\" within \(Int(timeout)) s")
            }
        }
    }

    /// Waits for the exit (SIGKILL after `timeout`) and for the output to end.
    func wait(timeout: TimeInterval = 300) throws -> Result {
        if let finished = condition.withLock({ self.result }) { return finished }
        let watchdog = DispatchWorkItem { [pid] in kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ServiceError("wait4: \(errno)") }
        }
        watchdog.cancel()
        condition.lock()
        defer { condition.unlock() }
        while openStreams > 0 { condition.wait() }
        // WIFEXITED / WEXITSTATUS; a signal death reports 128 + the signal, as a shell does.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let result = Result(status: exitStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                            stderr: String(decoding: stderrData, as: UTF8.self), maxRSS: sampledHighWaterMark)
        self.result = result
        return result
    }

    /// Guarded by `condition`.
    private var sampledHighWaterMark = 0

    /// Reads `VmHWM` (monotonic for the life of the process's memory) every 5 ms until the process is gone.
    private func sampleHighWaterMark() {
        Thread.detachNewThread { [pid, condition] in
            while let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                  let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") {
                condition.withLock { self.sampledHighWaterMark = max(self.sampledHighWaterMark, kilobytes * 1024) }
                usleep(5_000)
            }
        }
    }

    private func read(_ fd: Int32, into append: @escaping (Data) -> Void) {
        Thread.detachNewThread { [condition] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Glibc.read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                condition.lock()
                if n > 0 { append(Data(buffer[0..<n])) } else { self.openStreams -= 1 }
                condition.broadcast()
                condition.unlock()
                if n <= 0 { break }
            }
            close(fd)
        }
    }
}
