#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// One `docker-sync` process of a fleet under test: its own process, spawned with an empty signal
/// mask (so SIGTERM reaches it), stdout and stderr captured to files, its exit status awaited.
final class FleetProcess: @unchecked Sendable {
    struct Exit {
        /// The exit status, or 128 + the signal for a process killed by one (as a shell reports it).
        let status: Int32
        let stdout: String
        let stderr: String
        var output: String { stdout + stderr }
    }

    let name: String
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    init(name: String, arguments: [String], environment: [String: String], home: String, logDirectory: TemporaryDirectory) throws {
        self.name = name
        stdoutPath = logDirectory.file("\(name).out")
        stderrPath = logDirectory.file("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer { try? out.close(); try? err.close() }
        // No DOCKER_SYNC_* of the test's environment leaks in, and no user config is found in HOME.
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DOCKER_SYNC_") }
        base["HOME"] = home
        process.executableURL = URL(fileURLWithPath: try DockerSyncExecutable.path())
        process.arguments = arguments
        process.environment = base.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: home)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try ServiceProcess.spawnWithDefaultSignalMask(process)
    }

    deinit { kill9() }

    var stdout: String { Self.read(stdoutPath) }
    var stderr: String { Self.read(stderrPath) }
    var output: String { stdout + stderr }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// SIGKILL, as a crash or an OOM kill would; returns once the process is gone.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the exit; SIGKILL and a failure after `timeout` seconds.
    func exit(timeout: TimeInterval) async throws -> Exit {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                kill9()
                throw ServiceError("docker-sync \(name) did not exit within \(Int(timeout)) s:\n\(output.suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let status = process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
        return Exit(status: status, stdout: stdout, stderr: stderr)
    }

    /// Waits until the output contains `text`; fails when the process exits first or `timeout` passes.
    func waitForOutput(_ text: String, timeout: TimeInterval = 60) async throws {
        try await eventually("docker-sync \(name) printed \"\(text)\"", timeout: timeout) {
            if self.output.contains(text) { return true }
            guard self.isRunning || self.output.contains(text) else {
                throw ServiceError("docker-sync \(name) exited without printing \"\(text)\":\n\(self.output.suffix(4000))")
            }
            return false
        }
    }

    private static func read(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// Polls `condition` every `interval` until it holds; fails naming `what` after `timeout` seconds.
func eventually(_ what: String, timeout: TimeInterval, interval: Duration = .milliseconds(50),
                _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return }
        guard Date() < deadline else { throw ServiceError("timed out after \(Int(timeout)) s waiting until \(what)") }
        try await Task.sleep(for: interval)
    }
}
