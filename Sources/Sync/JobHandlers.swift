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

    public init(registries: Registries, queue: JobQueue, outcomes: OutcomeLog, coordination: Coordination,
                statistics: TransferStatistics = TransferStatistics(), logger: Logger) {
        self.registries = registries; self.queue = queue; self.outcomes = outcomes
        self.coordination = coordination; self.statistics = statistics; self.logger = logger
    }

    func run(_ leased: LeasedJob) async throws {
        let job = leased.job
        switch job.kind {
        case .image: try await runImage(try job.decode(ImageJob.self), cycle: job.cycle)
        case .tag: try await runTag(try job.decode(TagJob.self), cycle: job.cycle)
        case .blob: try await runBlob(try job.decode(BlobJob.self))
        case .commit:
            if let failure = leased.groupFailure {
                throw SyncError("a blob of this tag could not be copied: \(failure.message)", class: failure.errorClass == .fatal ? .fatal : .retryable)
            }
            try await runCommit(try job.decode(CommitJob.self), cycle: job.cycle)
        }
    }

    /// A job ended dead: report what it was syncing. Blob jobs report through their tag's commit.
    func buried(_ leased: LeasedJob, _ failure: JobFailure) async throws {
        let job = leased.job
        let outcome: Outcome?
        switch job.kind {
        case .image:
            let image = try job.decode(ImageJob.self)
            outcome = Outcome(cycle: job.cycle, source: image.source, tag: nil, target: nil, status: .failed, failure: failure)
        case .tag:
            let tag = try job.decode(TagJob.self)
            outcome = Outcome(cycle: job.cycle, source: tag.source, tag: tag.sourceReference, target: tag.target, status: .failed, failure: failure)
        case .commit:
            let commit = try job.decode(CommitJob.self)
            outcome = Outcome(cycle: job.cycle, source: commit.source, tag: commit.sourceReference, target: commit.target, status: .failed, failure: failure)
        case .blob:
            outcome = nil
        }
        if let outcome {
            logger.error("sync failed", metadata: outcome.logMetadata)
            try await outcomes.publish(outcome)
        }
    }

    func publish(_ outcome: Outcome) async throws {
        switch outcome.status {
        case .synced, .planned: logger.info("\(outcome.status == .planned ? "would sync" : "synced")", metadata: outcome.logMetadata)
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
