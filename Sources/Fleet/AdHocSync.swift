import Foundation
import Queue
import Sync

/// `docker-sync enqueue`: one image onto the fleet's queue, under a cycle of its own so it can be followed.
public struct AdHocSync: Sendable {
    let backend: FleetBackend

    public init(backend: FleetBackend) { self.backend = backend }

    /// Enqueues the image; returns the cycle that names this request.
    public func enqueue(_ image: ImageSpec, dryRun: Bool = false) async throws -> String {
        let cycle = "adhoc-\(UUID().uuidString.lowercased())"
        try await backend.queue.enqueue([try Job.image(image, cycle: cycle, dryRun: dryRun)])
        return cycle
    }

    /// Waits until every job of the request has finished; returns its outcomes.
    public func wait(for cycle: String) async throws -> [Outcome] {
        try await backend.queue.waitForCycle(cycle)
        return try await backend.reader.outcomes(cycle: cycle)
    }
}
