import Buckets
import Config
import Foundation
import Logging
import OCI
import Queue

extension JobHandlers {
    /// Purges `target` when the image's source and both tag listings allow it (a warning says why
    /// not otherwise); returns the tags deleted.
    func purge(_ image: ImageJob, source: ImageReference, listing: Result<[String], Error>?, target: TargetRepository,
               targetTags: Result<Set<String>, Error>, cycle: String, holder: String) async throws -> [String] {
        let present: Set<String>
        switch targetTags {
        case .success(let tags): present = tags
        case .failure(let error):
            let failure = JobFailure(errorClass: .fatal, message: "purge of \(target.name): its tags could not be listed: \(error)")
            try await publishPurgeFailure(image, target: target, tag: nil, failure: failure, cycle: cycle)
            return []
        }
        let sourceTags = listing ?? .failure(SyncError("not listed"))
        switch try PurgeDecision.decide(policy: image.policy, source: source, sourceTags: sourceTags, target: target.target,
                                        targetTags: Array(present)) {
        case .refused(let refusal):
            logger.warning("nothing purged: \(refusal)", metadata: ["image": "\(image.source)", "target": "\(target.name)"])
            return []
        case .purge(let plan):
            return try await purge(image, target: target, plan: plan, cycle: cycle, holder: holder)
        }
    }

    /// Deletes the tags `plan` names from `target`, one outcome each; returns those deleted. Runs
    /// in the image job before the target's tag jobs exist, so no push of this cycle races it. The
    /// first failed delete ends the target's purge for this cycle with one failure: what refuses
    /// one delete (permissions, a registry with deletes off) refuses the next ones too.
    private func purge(_ image: ImageJob, target: TargetRepository, plan: PurgePlan, cycle: String, holder: String) async throws -> [String] {
        guard !plan.deletions.isEmpty else { return [] }
        if image.dryRun {
            for tag in plan.deletions { try await publish(purgeOutcome(image, target, tag, .purgePlanned, cycle)) }
            return []
        }
        let started = Date()
        let kept = KeptManifests(tags: plan.kept)
        var deleted: [String] = []
        var stopped: (tag: String, error: Error)?
        for tag in plan.deletions {
            let deletion: TagDeletion
            do {
                deletion = try await target.deleteTag(tag, keeping: kept)
            } catch {
                stopped = (tag, error)
                break
            }
            switch deletion {
            case .deleted:
                deleted.append(tag)
                try await publish(purgeOutcome(image, target, tag, .purged, cycle))
            case .absent:
                logger.debug("already gone", metadata: ["image": "\(image.source)", "target": "\(target.name)", "tag": "\(tag)"])
            case let .deletedRestoringShared(digest, restoredTags):
                deleted.append(tag)
                try await publish(purgeOutcome(image, target, tag, .purged, cycle))
                let under = restoredTags.isEmpty ? "" : " under the kept tags \(restoredTags.joined(separator: ", "))"
                logger.warning("the registry deleted the manifest \(digest.short) with the tag, and every tag on it; put it back\(under)",
                               metadata: ["image": "\(image.source)", "target": "\(target.name)", "tag": "\(tag)"])
            case let .shared(digest, keptTag):
                logger.warning("not purged: the registry can only delete the manifest \(digest.short), which the kept tag \(keptTag) needs",
                               metadata: ["image": "\(image.source)", "target": "\(target.name)", "tag": "\(tag)"])
            }
        }
        if !deleted.isEmpty {
            try await cleanUp(image, target: target, deleted: deleted, cutoff: started - PurgeSafety.orphanMinimumAge(), cycle: cycle,
                              holder: holder)
        }
        if let stopped {
            try await purgeFailed(image, target: target, tag: stopped.tag, error: stopped.error,
                                  left: plan.deletions.count - deleted.count - 1, cycle: cycle)
        }
        return deleted
    }

    /// The target's own bookkeeping after deletions (a bucket's `tags/list` and orphans).
    private func cleanUp(_ image: ImageJob, target: TargetRepository, deleted: [String], cutoff: Date,
                         cycle: String, holder: String) async throws {
        do {
            let lock = TagIndexLock(coordination: coordination, holder: holder)
            guard let collection = try await target.purged(deleted, modifiedBefore: cutoff, serially: lock) else { return }
            logger.info("deleted orphaned objects", metadata: [
                "image": "\(image.source)", "target": "\(target.name)", "manifests": "\(collection.manifestsDeleted)",
                "blobs": "\(collection.blobsDeleted)", "left as recent": "\(collection.leftAsRecent)"])
        } catch {
            let failure = JobFailure(errorClass: .fatal, message: "purge of \(target.name): tags deleted, but the cleanup after them failed "
                                     + "(the next purge that deletes a tag tries again): \(error)")
            try await publishPurgeFailure(image, target: target, tag: nil, failure: failure, cycle: cycle)
        }
    }

    /// One failure for the target. A rate limit is thrown instead: the image job comes back once the
    /// registry is unpaused, without spending an attempt, and finds the tags not yet deleted (as
    /// after a shutdown's cancellation).
    private func purgeFailed(_ image: ImageJob, target: TargetRepository, tag: String, error: Error, left: Int,
                             cycle: String) async throws {
        let failure = JobFailure(error)
        if failure.errorClass == .rateLimited || error is CancellationError { throw error }
        if error is PurgeError {
            return try await publishPurgeFailure(image, target: target, tag: nil, failure: failure, cycle: cycle)
        }
        var message = "purge: deleting \(tag) failed: \(failure.message)"
        if [401, 403].contains(failure.status) { message += "; purging needs credentials allowed to delete from \(target.name)" }
        if left > 0 { message += "; \(left) more tags not purged this cycle" }
        try await publishPurgeFailure(image, target: target, tag: tag,
                                      failure: JobFailure(errorClass: failure.errorClass, message: message, status: failure.status),
                                      cycle: cycle)
    }

    private func publishPurgeFailure(_ image: ImageJob, target: TargetRepository, tag: String?, failure: JobFailure,
                                     cycle: String) async throws {
        let outcome = Outcome(cycle: cycle, source: image.source, tag: tag, target: target.name, status: .failed, failure: failure)
        logger.error("purge failed", metadata: outcome.logMetadata)
        try await outcomes.publish(outcome)
    }

    private func purgeOutcome(_ image: ImageJob, _ target: TargetRepository, _ tag: String, _ status: Outcome.Status,
                              _ cycle: String) -> Outcome {
        Outcome(cycle: cycle, source: image.source, tag: tag, target: target.name, status: status)
    }
}

/// How old an unreferenced object of a bucket must be before a purge deletes it.
enum PurgeSafety {
    /// Younger objects may belong to a sync of another cycle still uploading (blobs go in before the
    /// manifests that reference them), so they are left for a later purge.
    static let defaultOrphanMinimumAge: TimeInterval = 3600

    /// `DOCKER_SYNC_PURGE_MIN_AGE` (a Go duration such as `0s` or `10m`) replaces the default: it
    /// exists for tests, which cannot wait an hour.
    static func orphanMinimumAge(environment: [String: String] = ProcessInfo.processInfo.environment) -> TimeInterval {
        guard let text = environment["DOCKER_SYNC_PURGE_MIN_AGE"], let age = GoDuration(parsing: text), age.nanoseconds >= 0 else {
            return defaultOrphanMinimumAge
        }
        return age.seconds
    }
}
