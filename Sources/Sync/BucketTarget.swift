import Buckets
import Foundation
import HTTP
import OCI
import Queue

/// An image laid out in a bucket (`BucketLayout`): blobs and manifests are objects, the bucket's
/// equivalent of a cross-repository mount is a server-side copy, and `tags/list` is rewritten after
/// each tag.
struct BucketTarget: TargetRepository {
    let registry: BucketRegistry
    let image: BucketImage

    var target: TargetName { .bucket(image) }

    func listTags() async throws -> [String] {
        try await registry.listTags(image: image.image)
    }

    func manifestDigest(reference: String) async throws -> Digest? {
        try await registry.manifestDigest(image: image.image, reference: reference)
    }

    func hasBlob(_ digest: Digest) async throws -> Bool {
        try await registry.blobExists(image: image.image, digest: digest)
    }

    func mountBlob(_ digest: Digest, size: Int64, from repository: String) async throws -> Bool {
        try await registry.copyBlob(digest, size: size, from: repository, to: image.image)
    }

    func pushBlob(_ digest: Digest, size: Int64, sources makeSource: () async throws -> HTTPBodySource) async throws {
        try await registry.putBlob(image: image.image, digest: digest, size: size, sources: makeSource)
    }

    /// A tag is written after its digest object: a registry serves a pushed tag by digest too.
    func putManifest(_ manifest: RawManifest, reference: String) async throws {
        if reference != manifest.digest.description {
            try await registry.putManifest(image: image.image, reference: manifest.digest.description, manifest: manifest)
        }
        try await registry.putManifest(image: image.image, reference: reference, manifest: manifest)
    }

    /// The ping object, then `tags/list` when a tag was written.
    func committed(tag: String?, serially: TagIndexLock) async throws {
        try await registry.ensurePing()
        guard tag != nil else { return }
        try await serially.run("taglist|\(image)") {
            try await registry.writeTagList(image: image.image)
        }
    }

    func repairTagIndex(present: Set<String>, serially: TagIndexLock) async throws -> Bool {
        let stored = try await registry.storedTagList(image: image.image)
        guard Set(stored ?? []) != present else { return false }
        try await serially.run("taglist|\(image)") {
            try await registry.writeTagList(image: image.image)
        }
        return true
    }

    /// A tag is an object of its own: deleting it leaves every other tag, whatever its digest.
    func deleteTag(_ tag: String, keeping kept: KeptManifests) async throws -> TagDeletion {
        try await registry.deleteTag(image: image.image, tag: tag) ? .deleted : .absent
    }

    /// `tags/list` without the deleted tags, then the manifests and blobs no remaining tag needs:
    /// nothing else deletes them from a bucket.
    func purged(_ tags: [String], modifiedBefore cutoff: Date, serially: TagIndexLock) async throws -> OrphanCollection? {
        try await serially.run("taglist|\(image)") {
            try await registry.writeTagList(image: image.image)
        }
        return try await registry.collectOrphans(image: image.image, modifiedBefore: cutoff)
    }
}

/// Runs a body alone per key across every worker sharing the coordination, waiting a little for
/// the key rather than failing at once.
struct TagIndexLock: Sendable {
    let coordination: Coordination
    let holder: String

    func run(_ key: String, _ body: () async throws -> Void) async throws {
        var delay = Duration.milliseconds(5)
        for _ in 0..<40 {
            if try await coordination.claim(key, holder: holder, ttl: .seconds(120)) {
                do {
                    try await body()
                } catch {
                    try? await coordination.release(key, holder: holder)
                    throw error
                }
                return try await coordination.release(key, holder: holder)
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(250))
        }
        throw SyncError.deferred("\(key) is being updated by another worker", seconds: 1)
    }
}

extension S3Error: ClassifiedError {
    public var failureClass: JobFailure.Class { classification.failureClass }
    public var retryAt: Double? { classification.retryAt }
    /// Pauses are per bucket, as slots are.
    public var registryHost: String? { bucket }
}

extension RegistryError.Classification {
    /// How the queue files a request failure of this class.
    var failureClass: JobFailure.Class {
        switch self {
        case .retryable: .retryable
        case .rateLimited: .rateLimited
        case .fatal: .fatal
        }
    }

    /// For a rate limit: when to ask again (seconds since 1970), 10 s from now when not said.
    var retryAt: Double? {
        guard case let .rateLimited(retryAfter) = self else { return nil }
        return Date().timeIntervalSince1970 + (retryAfter ?? 10)
    }
}
