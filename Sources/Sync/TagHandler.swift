import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Compares digests (two HEADs: a no-op spends no pull budget), then fetches the manifest tree and
    /// fans out one blob job per distinct blob; the commit follows when the last blob is in. A tag known
    /// to be absent from the target skips the comparison: its manifest is fetched at once.
    func runTag(_ tag: TagJob, cycle: String) async throws {
        let source = try sourceReference(tag.source)
        let sourceClient = registries.source(source)
        let top: RawManifest
        if tag.targetHasTag == false {
            if tag.dryRun { return try await publish(outcome(tag, cycle, .planned)) }
            top = try await sourceManifest(tag, source: source, client: sourceClient)
        } else {
            guard let head = try await sourceClient.headManifest(repository: source.repository, reference: tag.sourceReference) else {
                throw notFound(tag, source)
            }
            let target = try registries.targetRepository(tag.target)
            let targetDigest = try await target.manifestDigest(reference: tag.targetTag ?? head.digest.description)
            if targetDigest == head.digest { return try await publish(outcome(tag, cycle, .upToDate)) }
            if tag.dryRun { return try await publish(outcome(tag, cycle, .planned)) }
            top = try await sourceClient.getManifest(repository: source.repository, reference: head.digest.description)
        }
        let tree = try await ManifestTree.fetch(top, repository: source.repository, from: sourceClient)
        let blobs = try tree.blobs.map { blob in
            try Job(kind: .blob, BlobJob(source: tag.source, target: tag.target, digest: blob.digest.description,
                                         size: blob.size, targetIsNew: tag.targetIsNew), cycle: cycle)
        }
        let commit = CommitJob(source: tag.source, sourceReference: tag.sourceReference, target: tag.target,
                               targetTag: tag.targetTag, manifests: tree.manifests, bytes: tree.blobs.reduce(0) { $0 + $1.size })
        try await queue.enqueue(JobGroup(children: blobs, continuation: try Job(kind: .commit, commit, cycle: cycle)))
    }

    private func sourceManifest(_ tag: TagJob, source: ImageReference, client: RegistryClient) async throws -> RawManifest {
        do {
            return try await client.getManifest(repository: source.repository, reference: tag.sourceReference)
        } catch let error as RegistryError where error.isNotFound {
            throw notFound(tag, source)
        }
    }

    private func notFound(_ tag: TagJob, _ source: ImageReference) -> SyncError {
        SyncError("\(source.name):\(tag.sourceReference) not found on the source")
    }

    func outcome(_ tag: TagJob, _ cycle: String, _ status: Outcome.Status, bytes: Int64 = 0) -> Outcome {
        Outcome(cycle: cycle, source: tag.source, tag: tag.sourceReference, target: tag.target, status: status, bytes: bytes)
    }
}

/// Every manifest under a tag, children before parents, and the distinct blobs they reference.
struct ManifestTree {
    var manifests: [ManifestRecord] = []
    var blobs: [Descriptor] = []
    private var seenBlobs = Set<Digest>()
    private var seenManifests = Set<Digest>()

    /// The tree under `top` (already fetched); children are fetched by digest.
    static func fetch(_ top: RawManifest, repository: String, from client: RegistryClient) async throws -> ManifestTree {
        var tree = ManifestTree()
        tree.seenManifests.insert(top.digest)
        try await tree.visit(top, repository: repository, client: client, depth: 0)
        return tree
    }

    private mutating func visit(_ raw: RawManifest, repository: String, client: RegistryClient, depth: Int) async throws {
        guard depth < 8 else { throw SyncError("manifest \(raw.digest) nests indexes more than 8 deep") }
        let parsed = try ParsedManifest(raw)
        for child in parsed.manifests where seenManifests.insert(child.digest).inserted {
            let fetched = try await client.getManifest(repository: repository, reference: child.digest.description)
            try await visit(fetched, repository: repository, client: client, depth: depth + 1)
        }
        for blob in parsed.blobs() where seenBlobs.insert(blob.digest).inserted {
            blobs.append(blob)
        }
        manifests.append(ManifestRecord(digest: raw.digest.description, mediaType: raw.mediaType.rawValue, bytes: Data(raw.bytes)))
    }
}
