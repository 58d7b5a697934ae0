import Foundation
import Redis
import TestSupport
import XCTest

/// A fleet under test: a real redis-server of its own, configs pointing every role at it, the
/// `docker-sync` processes started on them (all killed when the fleet is released), and a Redis
/// client for asserting on the queue's state.
final class Fleet: @unchecked Sendable {
    static let prefix = "fleet-test"
    /// Short, so a killed worker's job is re-delivered and a dead leader replaced within seconds.
    static let leaseTTL: TimeInterval = 3

    let redis: RedisServer
    let client: RedisClient
    let directory: TemporaryDirectory
    private let home: TemporaryDirectory
    private let lock = NSLock()
    private var processes: [FleetProcess] = []
    private var started = 0

    init(appendOnly: Bool = false) throws {
        redis = try RedisServer(.init(appendOnly: appendOnly))
        client = try RedisClient(url: redis.url, poolSize: 1)
        directory = try TemporaryDirectory(prefix: "fleet")
        home = try TemporaryDirectory(prefix: "fleet-home")
    }

    deinit {
        for process in lock.withLock({ processes }) { process.kill9() }
        client.close()
        redis.stop()
    }

    /// Writes a config whose `redis` section points at this fleet's server, with `sync` (a YAML
    /// `sync:` section, and any other top-level sections) appended.
    func config(_ sections: String, name: String = "config.yaml") throws -> String {
        try directory.write(name, """
            redis:
              url: \(redis.url)
              prefix: \(Self.prefix)
              leasettl: \(Int(Self.leaseTTL))s
            logging:
              colors: false
            \(sections)
            """)
    }

    /// Starts `docker-sync ARGUMENTS --config CONFIG`; its output is kept under `name`.
    @discardableResult
    func start(_ name: String, _ arguments: [String], config: String, environment: [String: String] = [:]) throws -> FleetProcess {
        let unique = lock.withLock { started += 1; return "\(started)-\(name)" }
        let process = try FleetProcess(name: unique, arguments: arguments + ["--config", config], environment: environment,
                                       home: home.path, logDirectory: directory)
        lock.withLock { processes.append(process) }
        return process
    }

    /// Runs `docker-sync ARGUMENTS --config CONFIG` to its exit.
    func run(_ arguments: [String], config: String, environment: [String: String] = [:],
             timeout: TimeInterval = 120) async throws -> FleetProcess.Exit {
        try await start(arguments.first ?? "run", arguments, config: config, environment: environment).exit(timeout: timeout)
    }

    /// `docker-sync status`, which must succeed.
    func status(config: String) async throws -> String {
        let exit = try await run(["status"], config: config, timeout: 30)
        XCTAssertEqual(exit.status, 0, exit.output)
        return exit.stdout
    }

    /// A key of the backend: `{prefix}:SUFFIX` (see `RedisKeys`).
    func key(_ suffix: String) -> String { "{\(Self.prefix)}:\(suffix)" }

    @discardableResult
    func send(_ arguments: String...) async throws -> RedisValue {
        try await client.send(RedisCommand(arguments.map { RedisArgument($0) }, idempotent: true))
    }

    /// Members of the lease set: jobs leased to a worker right now.
    func leasedJobs() async throws -> [String] {
        try await send("ZRANGE", key("leases"), "0", "-1").array?.compactMap(\.string) ?? []
    }

    /// The kind of each leased job.
    func leasedKinds() async throws -> [String] {
        var kinds: [String] = []
        for id in try await leasedJobs() {
            if let kind = try await send("HGET", key("job:\(id)"), "kind").string { kinds.append(kind) }
        }
        return kinds
    }
}

/// A `sync:` section syncing `source` to `target`, with quick retries.
func syncSection(source: String, target: String, attempts: Int = 3, maxErrors: Int = 0, extra: String = "") -> String {
    """
    sync:
      interval: 1h
      maxerrors: \(maxErrors)
      retry:
        attempts: \(attempts)
        initialbackoff: 100ms
        maxbackoff: 400ms
      images:
        - source: \(source)
          targets:
            - \(target)
    \(extra)
    """
}
