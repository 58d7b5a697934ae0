import Foundation
import OCI
import Queue

extension JobHandlers {
    /// Compares digests (two HEADs: a no-op spends no pull budget), then fetches the manifest tree and
    /// fans out one blob job per distinct blob; the commit follows when the last blob is in.
    func runTag(_ tag: TagJob, cycle: String) async throws {
        let source = try ImageReference(tag.source)
        let target = try ImageReference(tag.target)
        let sourceClient = registries.source(source)
        let targetClient = registries.target(target)
        guard let head = try await sourceClient.headManifest(repository: source.repository, reference: tag.sourceReference) else {
            throw SyncError("\(source.name):\(tag.sourceReference) not found on the source")
        }
        let targetHead = try await targetClient.headManifest(repository: target.repository,
                                                            reference: tag.targetTag ?? head.digest.description)
        if targetHead?.digest == head.digest {
            return try await publish(outcome(tag, cycle, .upToDate))
        }
        if tag.dryRun { return try await publish(outcome(tag, cycle, .planned)) }

        let tree = try await ManifestTree.fetch(head.digest, repository: source.repository, from: sourceClient)
        let blobs = try tree.blobs.map { blob in
            try Job(kind: .blob, BlobJob(source: tag.source, target: tag.target, digest: blob.digest.description, size: blob.size), cycle: cycle)
        }
        let commit = CommitJob(source: tag.source, sourceReference: tag.sourceReference, target: tag.target,
                               targetTag: tag.targetTag, manifests: tree.manifests, bytes: tree.blobs.reduce(0) { $0 + $1.size })
        try await queue.enqueue(JobGroup(children: blobs, continuation: try Job(kind: .commit, commit, cycle: cycle)))
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

    static func fetch(_ digest: Digest, repository: String, from client: RegistryClient) async throws -> ManifestTree {
        var tree = ManifestTree()
        try await tree.visit(digest, repository: repository, client: client, depth: 0)
        return tree
    }

    private mutating func visit(_ digest: Digest, repository: String, client: RegistryClient, depth: Int) async throws {
        guard depth < 8 else { throw SyncError("manifest \(digest) nests indexes more than 8 deep") }
        guard seenManifests.insert(digest).inserted else { return }
        let raw = try await client.getManifest(repository: repository, reference: digest.description)
        let parsed = try ParsedManifest(raw)
        for child in parsed.manifests {
            try await visit(child.digest, repository: repository, client: client, depth: depth + 1)
        }
        for blob in parsed.blobs() where seenBlobs.insert(blob.digest).inserted {
            blobs.append(blob)
        }
        manifests.append(ManifestRecord(digest: raw.digest.description, mediaType: raw.mediaType.rawValue, bytes: Data(raw.bytes)))
    }
}
