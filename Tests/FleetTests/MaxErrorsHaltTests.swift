import Foundation
import TestSupport
import XCTest

/// `sync.maxerrors`: a cycle whose failures stay below it halts nothing; one that reaches it halts
/// the whole fleet — the reporter records why, the scheduler and the workers exit non-zero — until
/// an operator runs `docker-sync fleet resume`.
final class MaxErrorsHaltTests: XCTestCase {
    func testReachingMaxErrorsHaltsTheFleetUntilResumed() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push([ImageSeeder.Image(repository: "halt/one", tag: "v1", kind: .docker(layers: [512]), seed: 4300)]
            + (1...4).map { ImageSeeder.Image(repository: "halt/app", tag: "t\($0)", kind: .docker(layers: [512]), seed: 4300 + $0) })
        // Every blob of both repositories is refused (403 is not retried), slowly enough that the
        // worker sees the halt with tags of the cycle still to do.
        let proxy = try FaultProxy.start(upstream: source, faults: [
            FaultRule(name: "forbidden", methods: ["GET"], path: "^/v2/halt/[a-z]+/blobs/",
                      action: .respond(status: 403, headers: [:], body: nil), delay: 0.4),
        ])
        let config = try fleet.config(syncSection(source: "\(proxy.host)/halt/app", target: "\(target.host)/halt/app",
                                                  attempts: 1, maxErrors: 2))
        let reporter = try fleet.start("reporter", ["reporter"], config: config)
        let worker = try fleet.start("worker", ["worker", "--concurrency", "1"], config: config)

        // One failure in a cycle of its own: below maxerrors, the fleet carries on.
        let one = try await fleet.run(["enqueue", "-s", "\(proxy.host)/halt/one", "-t", "\(target.host)/halt/one", "--wait"],
                                      config: config)
        XCTAssertEqual(one.status, 1, one.output)
        try await reporter.waitForOutput("halt/one", timeout: 30)
        let below = try await fleet.status(config: config)
        XCTAssertTrue(below.contains("halted:    no"), below)

        // Four failing tags in the scheduler's cycle: the second one halts the fleet. The leader runs
        // that one cycle (`--once`); a standby waits beside it.
        let scheduler = try fleet.start("scheduler", ["scheduler", "--once"], config: config)
        try await scheduler.waitForOutput("enqueued sync cycle", timeout: 30)
        let standby = try fleet.start("standby", ["scheduler"], config: config)
        try await eventually("the reporter set the halt", timeout: 60) {
            try await fleet.send("EXISTS", fleet.key("halt")).int == 1
        }
        let haltValue = try await fleet.send("GET", fleet.key("halt")).string
        let halt = try XCTUnwrap(haltValue)
        let counted = try await cycleFailuresNamed(in: halt, fleet: fleet)
        XCTAssertGreaterThanOrEqual(counted.reason, 2, "halted at maxerrors, not before: \(halt)")
        XCTAssertLessThanOrEqual(counted.reason, 4, halt)
        XCTAssertGreaterThanOrEqual(counted.recorded, counted.reason, "Redis counted the failures the halt names: \(halt)")
        XCTAssertTrue(halt.contains("maxerrors (2)"), halt)

        let schedulerExit = try await scheduler.exit(timeout: 30)
        XCTAssertEqual(schedulerExit.status, 1, schedulerExit.output)
        XCTAssertTrue(schedulerExit.stderr.contains("halted"), schedulerExit.stderr)
        let standbyExit = try await standby.exit(timeout: 30)
        XCTAssertEqual(standbyExit.status, 1, standbyExit.output)
        XCTAssertFalse(standbyExit.output.contains("enqueued sync cycle"), standbyExit.output)
        let workerExit = try await worker.exit(timeout: 60)
        XCTAssertEqual(workerExit.status, 1, workerExit.output)
        XCTAssertTrue(workerExit.output.contains("the fleet halted"), workerExit.output)
        try await reporter.waitForOutput("halting the fleet", timeout: 10)
        let halted = try await fleet.status(config: config)
        XCTAssertTrue(halted.contains("halted:    yes"), halted)
        XCTAssertTrue(halted.contains("reached sync.maxerrors (2)"), halted)
        let refused = try await fleet.run(["scheduler"], config: config, timeout: 30)
        XCTAssertEqual(refused.status, 1, "a scheduler started while halted stops at once: \(refused.output)")
        XCTAssertTrue(refused.stderr.contains("fleet resume"), refused.stderr)

        let resume = try await fleet.run(["fleet", "resume"], config: config, timeout: 30)
        XCTAssertEqual(resume.status, 0, resume.output)
        XCTAssertTrue(resume.stdout.contains("resumed"), resume.stdout)
        let cleared = try await fleet.send("EXISTS", fleet.key("halt")).int
        XCTAssertEqual(cleared, 0)
        let after = try await fleet.status(config: config)
        XCTAssertTrue(after.contains("halted:    no"), after)
        XCTAssertTrue(reporter.isRunning, "the reporter keeps running through a halt: \(reporter.output)")
    }

    /// The failure count the halt's reason names, and the count Redis holds for that cycle.
    private func cycleFailuresNamed(in halt: String, fleet: Fleet) async throws -> (reason: Int, recorded: Int) {
        let pattern = try NSRegularExpression(pattern: #"([0-9]+) failures in cycle (\S+) reached"#)
        let match = try XCTUnwrap(pattern.firstMatch(in: halt, range: NSRange(halt.startIndex..., in: halt)), halt)
        let count = Int(halt[Range(match.range(at: 1), in: halt)!]) ?? 0
        let cycle = String(halt[Range(match.range(at: 2), in: halt)!])
        let recorded = try await fleet.send("HGET", fleet.key("cycle:\(cycle)"), "failures").int ?? 0
        return (count, recorded)
    }
}
