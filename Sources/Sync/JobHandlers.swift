import Foundation
import Logging
import OCI
import Queue

/// Runs each kind of job; shared by the embedded engine and the fleet's workers.
public final class JobHandlers: Sendable {
    let registries: Registries
    let queue: JobQueue
    let outcomes: OutcomeLog
    public let coordination: Coordination
    let logger: Logger
    let statistics: TransferStatistics
    let perRegistryLimit: Int

    public init(registries: Registries, queue: JobQueue, outcomes: OutcomeLog, coordination: Coordination,
                statistics: TransferStatistics = TransferStatistics(), perRegistryLimit: Int = 16, logger: Logger) {
        self.registries = registries; self.queue = queue; self.outcomes = outcomes
        self.coordination = coordination; self.statistics = statistics
        self.perRegistryLimit = max(1, perRegistryLimit); self.logger = logger
    }

    func run(_ leased: LeasedJob) async throws {
        let work = try Work(leased.job)
        let hosts = Array(Set(work.references.compactMap(registryKey(of:)))).sorted()
        try await acquireSlots(hosts, holder: leased.job.id)
        do {
            try await dispatch(work, leased)
        } catch {
            await releaseSlots(hosts, holder: leased.job.id)
            throw error
        }
        await releaseSlots(hosts, holder: leased.job.id)
    }

    private func dispatch(_ work: Work, _ leased: LeasedJob) async throws {
        let job = leased.job
        switch work {
        case .image(let image): try await runImage(image, cycle: job.cycle, id: job.id)
        case .tag(let tag): try await runTag(tag, cycle: job.cycle)
        case .blob(let blob): try await runBlob(blob, id: job.id)
        case .commit(let commit):
            // The blob job has spent its attempts; a retried commit would lease without the group
            // failure and push manifests whose blobs are missing.
            if let failure = leased.groupFailure {
                throw SyncError("a blob of this tag could not be copied: \(failure.message)", class: .fatal)
            }
            try await runCommit(commit, cycle: job.cycle, id: job.id)
        }
    }

    private func acquireSlots(_ hosts: [String], holder: String) async throws {
        for (index, host) in hosts.enumerated() {
            if let paused = try await coordination.pausedUntil(registry: host) {
                await releaseSlots(Array(hosts[..<index]), holder: holder)
                throw DeferredError(message: "\(host) is rate limited", retryAt: paused)
            }
            guard try await waitForSlot(host, holder: holder) else {
                await releaseSlots(Array(hosts[..<index]), holder: holder)
                throw SyncError.deferred("\(host) has \(perRegistryLimit) jobs in flight", seconds: 0.5)
            }
        }
    }

    /// Waits a little for a slot of `host` (slots free up within milliseconds when jobs are short),
    /// rather than sending the job round the queue at once.
    private func waitForSlot(_ host: String, holder: String) async throws -> Bool {
        var delay = Duration.milliseconds(5)
        for _ in 0..<8 {
            if try await coordination.acquireSlot(registry: host, limit: perRegistryLimit, holder: holder, ttl: .seconds(900)) {
                return true
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(250))
        }
        return false
    }

    private func releaseSlots(_ hosts: [String], holder: String) async {
        for host in hosts { try? await coordination.releaseSlot(registry: host, holder: holder) }
    }

    /// A job ended dead: report what it was syncing.
    func buried(_ leased: LeasedJob, _ failure: JobFailure) async throws {
        guard let outcome = try Work(leased.job).failedOutcome(cycle: leased.job.cycle, failure: failure) else { return }
        logger.error("sync failed", metadata: outcome.logMetadata)
        try await outcomes.publish(outcome)
    }

    func publish(_ outcome: Outcome) async throws {
        switch outcome.status {
        case .synced, .planned: logger.info("\(outcome.status == .planned ? "would sync" : "synced")", metadata: outcome.logMetadata)
        case .purged, .purgePlanned: logger.info("\(outcome.status == .purged ? "purged" : "would purge")", metadata: outcome.logMetadata)
        default: logger.debug("\(outcome.status.rawValue)", metadata: outcome.logMetadata)
        }
        try await outcomes.publish(outcome)
    }
}

extension Outcome {
    var logMetadata: Logger.Metadata {
        var fields: Logger.Metadata = ["image": "\(source)"]
        if let tag { fields["tag"] = "\(tag)" }
        if let target { fields["target"] = "\(target)" }
        if let failure { fields["error"] = "\(failure.message)" }
        return fields
    }
}
