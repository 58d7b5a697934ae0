import Foundation
import Logging
import Sync
import Telemetry

/// The daemon on Redis: scheduler, worker and reporter in one process, as one node of a fleet
/// (more workers may join from other processes).
public struct FleetNode: Sendable {
    let scheduler: Scheduler
    let worker: WorkerRole
    let reporter: Reporter

    public init(scheduler: Scheduler, worker: WorkerRole, reporter: Reporter) {
        self.scheduler = scheduler; self.worker = worker; self.reporter = reporter
    }

    /// Runs until `stop` is set; throws `FleetStop` when the fleet halts (all roles then stop).
    public func run(stop: StopFlag) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await scheduler.run(stop: stop) }
            group.addTask { try await worker.run(stop: stop) }
            group.addTask { try await reporter.run(stop: stop) }
            do {
                try await group.waitForAll()
            } catch {
                stop.set()  // one role ended the node: let the others finish what they hold
                while let _ = try? await group.next() {}
                throw error
            }
        }
    }
}
