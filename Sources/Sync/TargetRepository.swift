import Buckets
import Foundation
import HTTP
import OCI

/// The place one tag × target is written: a repository of an OCI registry, or an image laid out in
/// a bucket. The handlers speak only this, so both kinds run through the same jobs.
protocol TargetRepository: Sendable {
    var target: TargetName { get }
    /// Every tag present; an absent repository has none.
    func listTags() async throws -> [String]
    /// The digest of the manifest at `reference` (a tag or a digest), nil when absent.
    func manifestDigest(reference: String) async throws -> Digest?
    func hasBlob(_ digest: Digest) async throws -> Bool
    /// Makes the blob present by linking or copying it from `repository` of the same registry or
    /// bucket, without the source; false when that is refused or impossible.
    func mountBlob(_ digest: Digest, size: Int64, from repository: String) async throws -> Bool
    /// Uploads the blob read from a fresh `makeSource()` per attempt.
    func pushBlob(_ digest: Digest, size: Int64, sources makeSource: () async throws -> HTTPBodySource) async throws
    /// Stores the manifest byte for byte under `reference` (a tag or its digest).
    func putManifest(_ manifest: RawManifest, reference: String) async throws
    /// After a commit's manifests (and its tag, if any) were written: whatever else the target keeps
    /// besides them. `serially` runs a body alone per key across the fleet.
    func committed(tag: String?, serially: TagIndexLock) async throws
    /// Brings what the target keeps about its tags (a bucket's `tags/list`) in line with `present`, the
    /// tags just listed: a run that ended between writing a tag and its index left it behind. True when
    /// something was rewritten.
    func repairTagIndex(present: Set<String>, serially: TagIndexLock) async throws -> Bool
    /// Removes `tag` without removing a manifest that a tag of `kept` still needs.
    func deleteTag(_ tag: String, keeping kept: KeptManifests) async throws -> TagDeletion
    /// After a purge deleted `tags`: whatever else the target keeps in step with its tags, deleting
    /// nothing last modified after `cutoff`; what was collected, where the target collects anything.
    func purged(_ tags: [String], modifiedBefore cutoff: Date, serially: TagIndexLock) async throws -> OrphanCollection?
}

/// What deleting one tag did.
enum TagDeletion: Sendable, Equatable {
    case deleted
    /// Gone already.
    case absent
    /// Left in place: the registry can only delete the manifest `digest`, which the kept tag `keptTag` needs.
    case shared(digest: Digest, keptTag: String)
    /// Deleted, but the registry took the manifest `digest` with it, and every tag on it: the manifest
    /// was put back by digest and under `restoredTags`, the kept tags that pointed at it.
    case deletedRestoringShared(digest: Digest, restoredTags: [String])
}

extension TargetRepository {
    var name: String { target.name }
    var registryKey: String { target.registryKey }
    var repository: String { target.repository }
}

/// A repository of an OCI registry: today's `RegistryClient` calls, unchanged.
struct RegistryTarget: TargetRepository {
    let client: RegistryClient
    let reference: ImageReference

    var target: TargetName { .registry(reference) }

    func listTags() async throws -> [String] {
        do {
            return try await client.listTags(repository: reference.repository)
        } catch let error as RegistryError where error.status == 404 {
            return []
        }
    }

    func manifestDigest(reference tagOrDigest: String) async throws -> Digest? {
        try await client.headManifest(repository: reference.repository, reference: tagOrDigest)?.digest
    }

    func hasBlob(_ digest: Digest) async throws -> Bool {
        try await client.blobExists(repository: reference.repository, digest: digest) != nil
    }

    func mountBlob(_ digest: Digest, size: Int64, from repository: String) async throws -> Bool {
        try await client.mountBlob(repository: reference.repository, digest: digest, from: repository)
    }

    func pushBlob(_ digest: Digest, size: Int64, sources makeSource: () async throws -> HTTPBodySource) async throws {
        try await client.pushBlob(repository: reference.repository, digest: digest, size: size, sources: makeSource)
    }

    func putManifest(_ manifest: RawManifest, reference tagOrDigest: String) async throws {
        try await client.putManifest(repository: reference.repository, reference: tagOrDigest, manifest: manifest)
    }

    /// A registry keeps its own tag list.
    func committed(tag: String?, serially: TagIndexLock) async throws {}

    /// A registry's tag list is the registry's own.
    func repairTagIndex(present: Set<String>, serially: TagIndexLock) async throws -> Bool { false }

    /// A tag DELETE first (the OCI spec's way to remove a tag alone); distribution 2.8 refuses it, so
    /// then the manifest by digest, unless a kept tag needs it. A registry may also answer the tag
    /// DELETE by deleting the whole manifest (Harbor deletes the artifact): for a manifest a kept tag
    /// needs, its bytes are read first, and put back when that happened.
    func deleteTag(_ tag: String, keeping kept: KeptManifests) async throws -> TagDeletion {
        let repository = reference.repository
        guard let head = try await client.headManifest(repository: repository, reference: tag) else { return .absent }
        let keptTag = try await kept.tag(needing: head.digest, resolve: { try await manifestDigests(tag: $0) })
        var shared: RawManifest?
        if keptTag != nil { shared = try await client.getManifest(repository: repository, reference: head.digest.description) }
        do {
            if try await client.deleteManifest(repository: repository, reference: tag) == .deleted {
                guard let shared else { return .deleted }
                return try await restoreIfTaken(shared, kept: kept)
            }
        } catch let error as RegistryError where error.refusesTagDeletion {}
        if let keptTag { return .shared(digest: head.digest, keptTag: keptTag) }
        do {
            return try await client.deleteManifest(repository: repository, reference: head.digest.description) == .deleted
                ? .deleted : .absent
        } catch let error as RegistryError where error.isUnsupported {
            throw PurgeError.deletesDisabled(error, target: name)
        }
    }

    /// After a tag DELETE: when the registry deleted `manifest` with the tag, puts it back by digest
    /// (what a kept index needs) and under the kept tags that pointed at it.
    private func restoreIfTaken(_ manifest: RawManifest, kept: KeptManifests) async throws -> TagDeletion {
        let repository = reference.repository
        guard try await client.headManifest(repository: repository, reference: manifest.digest.description) == nil else { return .deleted }
        try await client.putManifest(repository: repository, reference: manifest.digest.description, manifest: manifest)
        let restored = await kept.tags(pointingAt: manifest.digest)
        for tag in restored { try await client.putManifest(repository: repository, reference: tag, manifest: manifest) }
        return .deletedRestoringShared(digest: manifest.digest, restoredTags: restored)
    }

    /// A registry removes unreferenced blobs by its own garbage collection.
    func purged(_ tags: [String], modifiedBefore cutoff: Date, serially: TagIndexLock) async throws -> OrphanCollection? { nil }

    /// The manifest `tag` points at and, for an index, every manifest below it.
    func manifestDigests(tag: String) async throws -> [Digest] {
        guard let head = try await client.headManifest(repository: reference.repository, reference: tag) else { return [] }
        var digests = [head.digest]
        var pending = head.mediaType.isIndex ? [head.digest] : []
        while let index = pending.popLast() {
            let manifest = try ParsedManifest(try await client.getManifest(repository: reference.repository,
                                                                           reference: index.description))
            for child in manifest.manifests where !digests.contains(child.digest) {
                digests.append(child.digest)
                if child.mediaType.isIndex { pending.append(child.digest) }
            }
        }
        return digests
    }
}
