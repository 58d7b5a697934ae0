import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Makes one blob present in the target repository: already there → done; another worker
    /// copying it → come back shortly; in another repository of the target registry → mount;
    /// otherwise stream it from the source, verifying its digest on the way.
    func runBlob(_ blob: BlobJob, id: String) async throws {
        let source = try sourceReference(blob.source)
        let target = try registries.targetRepository(blob.target)
        let digest = try Digest(parsing: blob.digest)
        if try await isPresent(blob, digest: digest, target: target) {
            statistics.add(skipped: 1)
            return try await remember(digest, in: target)
        }
        // Per registry, not per repository: a second repository waits for the first copy, then mounts it.
        // Held by the job, not the process: redelivered after its worker was killed, it takes the claim over.
        let claim = "blob|\(target.registryKey)|\(digest)"
        guard try await coordination.claim(claim, holder: id, ttl: .seconds(600)) else {
            throw SyncError.deferred("blob \(digest) is being copied to \(target.name) by another worker")
        }
        do {
            // Another worker may have finished this very copy between the check above and the claim.
            // The record alone is not proof: it may date from before a purge deleted the blob.
            let recordedHere = try await coordination.blobLocation(registry: target.registryKey, digest: digest.description)
                == target.repository
            let done = try await recordedHere ? target.hasBlob(digest) : false
            if !done {
                try await transfer(blob, digest: digest, source: source, target: target)
            }
            try await coordination.release(claim, holder: id)
        } catch {
            try? await coordination.release(claim, holder: id)
            throw error
        }
    }

    /// A HEAD on the target, unless its repository was new this cycle: then only a copy made in this
    /// cycle can be there, and the recorded location says so.
    private func isPresent(_ blob: BlobJob, digest: Digest, target: TargetRepository) async throws -> Bool {
        if blob.targetIsNew == true {
            return try await coordination.blobLocation(registry: target.registryKey, digest: digest.description) == target.repository
        }
        return try await target.hasBlob(digest)
    }

    private func transfer(_ blob: BlobJob, digest: Digest, source: ImageReference, target: TargetRepository) async throws {
        for from in try await mountSources(digest, source: source, target: target) {
            if try await target.mountBlob(digest, size: blob.size, from: from) {
                logger.debug("mounted \(digest) from \(from)", metadata: ["target": "\(target.name)"])
                statistics.add(mounted: 1)
                return try await remember(digest, in: target)
            }
        }
        let sourceClient = registries.source(source)
        try await BlobCopy(digest: digest, size: blob.size).run(from: sourceClient, repository: source.repository, to: target)
        statistics.add(copied: 1, bytes: blob.size)
        try await remember(digest, in: target)
    }

    /// Repositories of the target registry (or bucket) that may hold the blob: the source itself
    /// when both live on one registry, then wherever a worker last put it.
    private func mountSources(_ digest: Digest, source: ImageReference, target: TargetRepository) async throws -> [String] {
        var candidates: [String] = []
        if source.registry == target.registryKey, source.repository != target.repository { candidates.append(source.repository) }
        if let known = try await coordination.blobLocation(registry: target.registryKey, digest: digest.description),
           known != target.repository, !candidates.contains(known) {
            candidates.append(known)
        }
        return candidates
    }

    private func remember(_ digest: Digest, in target: TargetRepository) async throws {
        try await coordination.recordBlob(registry: target.registryKey, digest: digest.description, repository: target.repository)
    }
}

extension SyncError {
    /// Not a failure: the job waits for something another worker is doing and comes back without losing an attempt.
    static func deferred(_ message: String, seconds: Double = 0.2) -> DeferredError {
        DeferredError(message: message, retryAt: Date().timeIntervalSince1970 + seconds)
    }
}

struct DeferredError: ClassifiedError {
    var message: String
    var retryAt: Double?
    var failureClass: JobFailure.Class { .rateLimited }
    var registryHost: String? { nil }
    var status: Int? { nil }
    var description: String { message }
}
