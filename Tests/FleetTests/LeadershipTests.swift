import Foundation
import TestSupport
import XCTest

/// Two schedulers on one Redis: one leads and enqueues, the other stands by and takes over
/// within about one lease TTL of the leader's death, without enqueuing the cycle again.
final class LeadershipTests: XCTestCase {
    func testOneOfTwoSchedulersEnqueuesAndTheStandbyTakesOverWhenTheLeaderIsKilled() async throws {
        let fleet = try Fleet()
        // No worker runs: the cycle's image job stays pending where it can be counted.
        let config = try fleet.config(syncSection(source: "127.0.0.1:1/lead/app", target: "127.0.0.1:1/lead/copy"))
        let first = try fleet.start("scheduler-a", ["scheduler"], config: config)
        let second = try fleet.start("scheduler-b", ["scheduler"], config: config)

        try await eventually("one scheduler enqueued the cycle", timeout: 30) {
            first.output.contains("enqueued sync cycle") || second.output.contains("enqueued sync cycle")
        }
        let (leader, standby) = first.output.contains("became the leader") ? (first, second) : (second, first)
        // The standby campaigns every TTL/10: give it several chances to (wrongly) lead or enqueue.
        try await Task.sleep(for: .seconds(Fleet.leaseTTL))
        XCTAssertTrue(leader.output.contains("became the leader"), leader.output)
        XCTAssertEqual(occurrences("enqueued sync cycle", in: leader.output), 1, leader.output)
        XCTAssertFalse(standby.output.contains("became the leader"), standby.output)
        XCTAssertFalse(standby.output.contains("enqueued sync cycle"), standby.output)
        let pendingBefore = try await fleet.send("LLEN", fleet.key("pending:image")).int
        XCTAssertEqual(pendingBefore, 1, "one image job for the one image of the cycle")
        let holder = try await fleet.send("GET", fleet.key("leader")).string
        XCTAssertTrue(holder?.contains(":\(leader.pid):") == true, "the lease names the leader: \(holder ?? "none")")

        leader.kill9()
        let killed = Date()
        try await standby.waitForOutput("became the leader", timeout: Fleet.leaseTTL * 3)
        let takeover = Date().timeIntervalSince(killed)
        XCTAssertLessThanOrEqual(takeover, Fleet.leaseTTL + 1.5, "the standby took over within about one lease TTL")
        let newHolder = try await fleet.send("GET", fleet.key("leader")).string
        XCTAssertTrue(newHolder?.contains(":\(standby.pid):") == true, "the lease names the new leader: \(newHolder ?? "none")")

        // Same interval, same cycle: the new leader's enqueue is dropped by the cycle's unique key.
        try await standby.waitForOutput("enqueued sync cycle", timeout: 10)
        let pendingAfter = try await fleet.send("LLEN", fleet.key("pending:image")).int
        XCTAssertEqual(pendingAfter, 1, "the cycle's image job was not enqueued twice")
        XCTAssertTrue(standby.isRunning, standby.output)
    }
}

func occurrences(_ text: String, in output: String) -> Int {
    output.components(separatedBy: text).count - 1
}
