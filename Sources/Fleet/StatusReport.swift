import Foundation
import Queue
import Sync

/// `docker-sync status`: the fleet at a glance, as text.
public struct StatusReport: Sendable {
    public var leader: String?
    public var halt: HaltState?
    public var workers: [WorkerInfo]
    public var stats: QueueStats
    public var inFlight: [InFlightJob]
    public var counters: [String: Int64]

    public static func collect(_ backend: FleetBackend) async throws -> StatusReport {
        let control = backend.control
        return StatusReport(leader: try await control.leader(), halt: try await control.haltState(),
                            workers: try await control.workers(), stats: try await control.stats(),
                            inFlight: try await control.inFlight(), counters: try await control.counters())
    }

    public var text: String {
        let now = Date().timeIntervalSince1970
        var lines = ["leader:    \(leader ?? "none")"]
        if let halt {
            lines.append("halted:    yes — \(halt.reason) (`docker-sync fleet resume` clears it)")
        } else {
            lines.append("halted:    no")
        }
        lines.append("workers:   \(workers.count) alive")
        for worker in workers.sorted(by: { $0.id < $1.id }) {
            lines.append("  \(worker.id)  \(worker.busy)/\(worker.slots) busy  seen \(String(format: "%.1f", now - worker.seen)) s ago")
        }
        let depths = JobKind.allCases.map { "\($0.rawValue) \(stats.pending[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("queue:     \(depths); oldest pending \(String(format: "%.1f", stats.oldestPendingAge)) s")
        lines.append("retries:   \(stats.delayed) waiting, \(stats.retries) scheduled in all")
        lines.append("dead:      \(stats.dead) (`docker-sync jobs dead` lists them)")
        lines.append("in flight: \(stats.inFlight)")
        for held in inFlight.sorted(by: { $0.leaseAge > $1.leaseAge }).prefix(20) {
            lines.append("  \(held.job.kind.rawValue) \(held.job.summary)  lease \(String(format: "%.1f", held.leaseAge)) s  on \(held.worker)")
        }
        if !counters.isEmpty {
            lines.append("totals:    " + counters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
