import Foundation
import Queue

/// List an image's tags, choose the ones to sync, and fan out one tag job per tag × target.
struct ImageJob: Codable, Sendable {
    /// The source repository, normalised (`docker.io/library/ubuntu`); may carry a tag or digest.
    var source: String
    var targets: [String]
    var policy: TagPolicy
    var dryRun: Bool
    /// Delete the targets' tags the policy no longer selects from the source; nil (a job from before
    /// purge existed): no.
    var purge: Bool? = nil
}

/// Bring one tag of the source to one target: compare digests, fetch the manifest tree, fan out blobs.
struct TagJob: Codable, Sendable {
    var source: String
    /// What to read on the source: a tag, or a digest when the source was pinned.
    var sourceReference: String
    var target: String
    /// The tag to write on the target; nil pushes by digest only.
    var targetTag: String?
    var dryRun: Bool
    /// Known from the image job's tag listing of the target: false when the tag was absent, so the
    /// digest comparison is skipped and the source manifest fetched at once. nil: not known.
    var targetHasTag: Bool? = nil
    /// The target repository had no tags when the image was planned: blobs need no existence check.
    var targetIsNew: Bool? = nil
}

/// Make one blob present in one target repository.
struct BlobJob: Codable, Sendable {
    var source: String
    var target: String
    var digest: String
    var size: Int64
    /// The target repository had no tags when the image was planned: skip the HEAD for the blob.
    var targetIsNew: Bool? = nil
}

/// Push a tag's manifests once its blobs are in: children first, the tag last.
struct CommitJob: Codable, Sendable {
    var source: String
    var sourceReference: String
    var target: String
    var targetTag: String?
    /// Child-first; the last one is what the tag points at.
    var manifests: [ManifestRecord]
    var bytes: Int64
}

struct ManifestRecord: Codable, Sendable {
    var digest: String
    var mediaType: String
    var bytes: Data
}

extension Job {
    /// The job that starts syncing one image; enqueued once per image per cycle.
    public static func image(_ image: ImageSpec, cycle: String, dryRun: Bool = false) throws -> Job {
        try Job(kind: .image, ImageJob(source: image.source, targets: image.targets, policy: image.policy, dryRun: dryRun,
                                       purge: image.purge),
                cycle: cycle, uniqueKey: "image|\(image.source)|\(image.targets.joined(separator: ","))")
    }

    /// A short description for status listings: what the job syncs, without any credential (jobs hold none).
    public var summary: String {
        switch try? Work(self) {
        case .image(let image): "\(image.source) → \(image.targets.joined(separator: ", "))"
        case .tag(let tag): "\(tag.source):\(tag.sourceReference) → \(tag.target)"
        case .blob(let blob): "\(blob.digest) → \(blob.target)"
        case .commit(let commit): "\(commit.source):\(commit.sourceReference) → \(commit.target)"
        case nil: id
        }
    }
}

/// A job's payload decoded once, by kind: what the handlers run on.
enum Work {
    case image(ImageJob)
    case tag(TagJob)
    case blob(BlobJob)
    case commit(CommitJob)

    init(_ job: Job) throws {
        switch job.kind {
        case .image: self = .image(try job.decode(ImageJob.self))
        case .tag: self = .tag(try job.decode(TagJob.self))
        case .blob: self = .blob(try job.decode(BlobJob.self))
        case .commit: self = .commit(try job.decode(CommitJob.self))
        }
    }

    /// The references whose registries the job talks to.
    var references: [String] {
        switch self {
        case .image(let image): [image.source]
        case .tag(let tag): [tag.source, tag.target]
        case .blob(let blob): [blob.source, blob.target]
        case .commit(let commit): [commit.target]
        }
    }

    /// What a failure of this job is reported as: the tag × target it was syncing (blobs report
    /// through their tag's commit).
    func failedOutcome(cycle: String, failure: JobFailure) -> Outcome? {
        switch self {
        case .image(let image):
            Outcome(cycle: cycle, source: image.source, tag: nil, target: nil, status: .failed, failure: failure)
        case .tag(let tag):
            Outcome(cycle: cycle, source: tag.source, tag: tag.sourceReference, target: tag.target, status: .failed, failure: failure)
        case .commit(let commit):
            Outcome(cycle: cycle, source: commit.source, tag: commit.sourceReference, target: commit.target,
                    status: .failed, failure: failure)
        case .blob:
            nil
        }
    }
}
