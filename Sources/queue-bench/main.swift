// Queue throughput: no-op jobs enqueued, taken and acknowledged per second through the Redis
// backend, with worker processes beside the enqueuer. Driven by ops/bench/queue-bench.sh.
//
//   queue-bench run  --url URL [--jobs N] [--workers P] [--slots S] [--prefetch K]
//       starts P worker processes (this executable, `work`), waits until they are connected,
//       enqueues N no-op jobs in one cycle, waits for the cycle to finish, halts the workers and
//       prints the rates.
//   queue-bench work --url URL --prefix PREFIX [--slots S] [--prefetch K]
//       takes and acknowledges jobs on S concurrent slots until the fleet is halted.
import Foundation
import Queue
import Redis

struct Options {
    var mode = ""
    var url = ""
    var prefix = "queue-bench"
    var jobs = 200_000
    var workers = 1
    var slots = 64
    var prefetch = 64

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst()
        guard let mode = rest.popFirst(), ["run", "work"].contains(mode) else { throw Usage() }
        self.mode = mode
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { throw Usage() }
            switch option {
            case "--url": url = value
            case "--prefix": prefix = value
            case "--jobs": jobs = try Self.number(value)
            case "--workers": workers = try Self.number(value)
            case "--slots": slots = try Self.number(value)
            case "--prefetch": prefetch = try Self.number(value)
            default: throw Usage()
            }
        }
        guard !url.isEmpty else { throw Usage() }
    }

    static func number(_ text: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw Usage() }
        return value
    }
}

struct Usage: Error, CustomStringConvertible {
    var description: String {
        "usage: queue-bench run --url URL [--jobs N] [--workers P] [--slots S] [--prefetch K]\n" +
        "       queue-bench work --url URL --prefix PREFIX [--slots S] [--prefetch K]"
    }
}

/// Takes and acknowledges until the halt key appears; adds its count to `{prefix}:bench:acked`.
func work(_ options: Options) async throws {
    let queue = try await RedisBackend.connect(url: options.url, prefix: options.prefix, prefetch: options.prefetch)
    let keys = queue.keys.tag
    try await queue.redis.send("INCR", "\(keys):bench:ready")
    let halted = Flag()
    let watcher = Task {
        while !halted.isSet {
            if (try? await queue.haltState()) != nil { halted.set() }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
    let acked = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<max(1, options.slots) {
            group.addTask {
                var count = 0
                while !halted.isSet {
                    guard let leased = try await queue.take(timeout: .milliseconds(100)) else { continue }
                    try await queue.complete(leased)
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    watcher.cancel()
    try await queue.redis.send("INCRBY", "\(keys):bench:acked", acked)
    await queue.close()
}

/// Starts the workers, enqueues, waits for the cycle; prints one line of results.
func run(_ options: Options) async throws {
    let prefix = "\(options.prefix)-\(options.workers)w-\(UInt32.random(in: 0...UInt32.max))"
    let queue = try await RedisBackend.connect(url: options.url, prefix: prefix)
    let tag = queue.keys.tag
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    let workers = try (0..<options.workers).map { _ in
        let process = Process()
        process.executableURL = executable
        process.arguments = ["work", "--url", options.url, "--prefix", prefix,
                             "--slots", String(options.slots), "--prefetch", String(options.prefetch)]
        try process.run()
        return process
    }
    while (try await queue.redis.send("GET", "\(tag):bench:ready").int ?? 0) < options.workers {
        try await Task.sleep(for: .milliseconds(20))
    }

    let cycle = "bench"
    let jobs = (0..<options.jobs).map { _ in Job(kind: .blob, payload: Data("{}".utf8), cycle: cycle) }
    let clock = ContinuousClock()
    let started = clock.now
    for start in stride(from: 0, to: jobs.count, by: 2000) {
        try await queue.enqueue(Array(jobs[start..<min(start + 2000, jobs.count)]))
    }
    let enqueued = clock.now - started
    try await queue.waitForCycle(cycle)
    let finished = clock.now - started

    try await queue.halt(HaltState(reason: "benchmark done", cycle: cycle, since: Date().timeIntervalSince1970))
    for process in workers { process.waitUntilExit() }
    let acked = try await queue.redis.send("GET", "\(tag):bench:acked").int ?? 0
    let stats = try await queue.stats()
    await queue.close()

    let seconds = Double(finished.components.seconds) + Double(finished.components.attoseconds) / 1e18
    let enqueueSeconds = Double(enqueued.components.seconds) + Double(enqueued.components.attoseconds) / 1e18
    let rate = Double(options.jobs) / seconds
    print(String(format: "workers=%d jobs=%d acked=%d seconds=%.3f jobs_per_s=%.0f enqueue_only_per_s=%.0f left_in_flight=%d",
                 options.workers, options.jobs, acked, seconds, rate, Double(options.jobs) / enqueueSeconds, stats.inFlight))
    guard acked == options.jobs, stats.inFlight == 0 else {
        throw BenchFailure(description: "expected \(options.jobs) acknowledgements and nothing in flight")
    }
}

struct BenchFailure: Error, CustomStringConvertible { let description: String }

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

do {
    let options = try Options(CommandLine.arguments)
    if options.mode == "run" { try await run(options) } else { try await work(options) }
} catch {
    FileHandle.standardError.write(Data("queue-bench: \(error)\n".utf8))
    exit(1)
}
