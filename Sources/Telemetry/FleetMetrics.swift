import Foundation
import Prometheus
import Queue

/// The fleet's metrics, named `docker_sync_*`, in a Prometheus registry that both exporters read.
public final class FleetMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {}

    /// Replaces the gauges with what the backend reports now.
    public func update(stats: QueueStats, leader: String?, halted: HaltState?, workers: Int, counters: [String: Int64]) {
        for kind in JobKind.allCases {
            registry.makeGauge(name: "docker_sync_queue_depth", labels: [("kind", kind.rawValue)],
                               help: "Jobs ready to run, by kind").set(Double(stats.pending[kind] ?? 0))
        }
        gauge("docker_sync_queue_oldest_pending_seconds", "Age of the oldest ready job").set(stats.oldestPendingAge)
        gauge("docker_sync_jobs_delayed", "Jobs waiting for a retry").set(Double(stats.delayed))
        gauge("docker_sync_jobs_in_flight", "Jobs held by workers").set(Double(stats.inFlight))
        gauge("docker_sync_dead_letters", "Jobs that failed for good").set(Double(stats.dead))
        gauge("docker_sync_retries", "Retries scheduled").set(Double(stats.retries))
        gauge("docker_sync_leader", "1 while a scheduler holds the leader lease").set(Double(leader == nil ? 0 : 1))
        gauge("docker_sync_halted", "1 while the fleet is halted by sync.maxerrors").set(Double(halted == nil ? 0 : 1))
        gauge("docker_sync_workers", "Workers with a live heartbeat").set(Double(workers))
        for (name, value) in counters.sorted(by: { $0.key < $1.key }) {
            gauge("docker_sync_\(name)", "Fleet-wide total of \(name.replacingOccurrences(of: "_", with: " "))").set(Double(value))
        }
    }

    /// Counts one outcome by status.
    public func record(_ outcome: Outcome) {
        registry.makeCounter(name: "docker_sync_tags_total", labels: [("status", outcome.status.rawValue)],
                             help: "Tag × target syncs by outcome").increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    private func gauge(_ name: String, _ help: String) -> Gauge { registry.makeGauge(name: name, help: help) }
}
