import Foundation
import OCI

/// What one orphan collection in an image of a bucket did.
public struct OrphanCollection: Sendable, Equatable {
    public var manifestsDeleted = 0
    public var blobsDeleted = 0
    /// Unreferenced, but modified after the cutoff: possibly an upload still in flight, left for a later purge.
    public var leftAsRecent = 0

    public init(manifestsDeleted: Int = 0, blobsDeleted: Int = 0, leftAsRecent: Int = 0) {
        self.manifestsDeleted = manifestsDeleted; self.blobsDeleted = blobsDeleted; self.leftAsRecent = leftAsRecent
    }
}

extension BucketRegistry {
    /// Deletes the tag object of `tag`; false when there was none. The manifest by digest and its
    /// blobs stay: `collectOrphans` decides about them once every tag to purge is gone.
    public func deleteTag(image: String, tag: String) async throws -> Bool {
        let key = BucketLayout.manifest(image, tag)
        guard try await client.headObject(key) != nil else { return false }
        try await client.deleteObject(key)
        return true
    }

    /// Deletes the manifests by digest and the blobs of `image` that no remaining tag's manifest
    /// tree references, when they were last modified before `cutoff` (younger ones may belong to a
    /// sync still uploading). Manifests go first, so no manifest left in the bucket names a blob
    /// already deleted. A remaining manifest that cannot be read stops it before any deletion.
    public func collectOrphans(image: String, modifiedBefore cutoff: Date) async throws -> OrphanCollection {
        let manifestPrefix = BucketLayout.manifests(image), blobPrefix = BucketLayout.blobs(image)
        let manifestObjects = try await client.listObjects(prefix: manifestPrefix)
        let blobObjects = try await client.listObjects(prefix: blobPrefix)
        let tags = BucketLayout.tags(inManifestKeys: manifestObjects.map(\.key), image: image)
        let referenced = try await ManifestReferences.collect(image: image, tags: tags, registry: self)
        var collection = OrphanCollection()
        for (objects, prefix, isManifest) in [(manifestObjects, manifestPrefix, true), (blobObjects, blobPrefix, false)] {
            for object in objects {
                guard let digest = BucketLayout.digest(inKey: object.key, under: prefix), !referenced.contains(digest) else { continue }
                guard let modified = object.lastModified, modified < cutoff else {
                    collection.leftAsRecent += 1
                    continue
                }
                try await client.deleteObject(object.key)
                if isManifest { collection.manifestsDeleted += 1 } else { collection.blobsDeleted += 1 }
            }
        }
        return collection
    }
}

/// Every digest (manifests and blobs) the manifest trees of some tags of an image in a bucket
/// reference: each tag's manifest, its index children, their configs and layers, and subjects.
private struct ManifestReferences {
    let image: String
    let registry: BucketRegistry
    var digests = Set<Digest>()
    /// Manifests whose trees were walked. Apart from `digests`: a digest met first as a subject (a
    /// signature tagged before the image it signs) must still have its own tree walked.
    private var visited = Set<Digest>()

    static func collect(image: String, tags: [String], registry: BucketRegistry) async throws -> Set<Digest> {
        var references = ManifestReferences(image: image, registry: registry)
        for tag in tags {
            // A tag deleted since the listing references nothing.
            guard let bytes = try await registry.client.getObject(BucketLayout.manifest(image, tag)) else { continue }
            try await references.visit(bytes)
        }
        return references.digests
    }

    private mutating func visit(_ bytes: [UInt8]) async throws {
        let manifest = try ParsedManifest(bytes: bytes, contentType: nil)
        digests.insert(manifest.digest)
        guard visited.insert(manifest.digest).inserted else { return }
        for blob in manifest.blobs(includingForeign: true) { digests.insert(blob.digest) }
        for child in manifest.manifests.map(\.digest) + [manifest.subject?.digest].compactMap({ $0 }) where !visited.contains(child) {
            digests.insert(child)
            // Already missing: nothing more of this branch can be kept.
            guard let bytes = try await registry.client.getObject(BucketLayout.manifest(image, child.description)) else { continue }
            try await visit(bytes)
        }
    }
}
