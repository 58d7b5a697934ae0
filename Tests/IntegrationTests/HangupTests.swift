#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import TestSupport
import XCTest

/// SIGHUP means "re-read the config" to a long-running docker-sync. An operator who sends it to
/// every docker-sync process after an edit (`pkill -HUP docker-sync`) must not end one that is
/// still starting, nor a `--once` run (which reads its config once and says so).
final class HangupTests: XCTestCase {
    func testSIGHUPDuringAOnceRunIsLoggedAndTheRunCompletes() throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "hup/app", tag: "a", kind: .docker(layers: [256]), seed: 1400),
            ImageSeeder.Image(repository: "hup/app", tag: "b", kind: .oci(layers: [256]), seed: 1401),
        ])
        let proxy = try FaultProxy.start(upstream: source, faults: [.delay(1, methods: ["GET"], path: "/blobs/")])
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              images:
                - source: \(proxy.host)/hup/app
                  targets: [\(target.host)/hup/app]
            """)

        let daemon = try DockerSyncBinary.start(["daemon", "--once", "--config", config])
        try daemon.waitForOutput("planned 2 tag syncs")
        daemon.signal(SIGHUP)
        let run = try daemon.wait(timeout: 60)

        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("2 synced"), run.stdout)
        XCTAssertTrue(run.output.contains("SIGHUP ignored: a --once run reads its config once"), run.output)
        for tag in ["a", "b"] {
            XCTAssertEqual(try Skopeo.inspectDigest("\(target.host)/hup/app:\(tag)"),
                           try Skopeo.inspectDigest("\(source.host)/hup/app:\(tag)"))
        }
    }

    /// A worker still connecting to Redis (here: AUTH sent to a server that never answers) has no
    /// reload handler yet. SIGHUP, then SIGTERM: a process that SIGHUP ended reports 128+1; one that
    /// ignored it is ended by the SIGTERM (128+15, as nothing handles SIGTERM before Redis is up).
    /// Pending signals are delivered lowest number first, so the order is not a race.
    func testSIGHUPWhileAFleetRoleConnectsToRedisDoesNotEndIt() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              images:
                - source: 127.0.0.1:1/hup/app
                  targets: [127.0.0.1:1/hup/mirror]
            """)
        for role in ["worker", "scheduler", "reporter", "daemon"] {
            let silent = try SilentListener()
            let process = try DockerSyncBinary.start([role, "--config", config, "--redis", "redis://:hunter2@127.0.0.1:\(silent.port)"])
            try silent.waitForBytes(connection: role)
            process.signal(SIGHUP)
            process.signal(SIGTERM)
            let run = try process.wait(timeout: 30)
            XCTAssertEqual(run.status, 128 + SIGTERM, "\(role): \(run.output)")
        }
    }
}

/// A loopback TCP server that accepts connections, reads what clients send, and never answers.
private final class SilentListener: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let condition = NSCondition()
    private var connectionsWithBytes = 0
    private var waited = 0
    private var clients: [Int32] = []

    init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && listen(socket, 16) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else {
            close(socket)
            throw ServiceError("silent listener: cannot listen on 127.0.0.1 (errno \(errno))")
        }
        self.socket = socket
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
        condition.withLock { clients.forEach { close($0) } }
    }

    /// Waits until one more client than before has sent its first bytes.
    func waitForBytes(connection name: String, timeout: TimeInterval = 30) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        try condition.withLock {
            while connectionsWithBytes <= waited {
                guard condition.wait(until: deadline) else { throw ServiceError("silent listener: \(name) sent nothing in \(timeout) s") }
            }
            waited = connectionsWithBytes
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else { return }
            condition.withLock { clients.append(client) }
            Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                guard read(client, &buffer, buffer.count) > 0 else { return }
                condition.withLock { connectionsWithBytes += 1; condition.broadcast() }
                while read(client, &buffer, buffer.count) > 0 {}
            }.start()
        }
    }
}
