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
}
