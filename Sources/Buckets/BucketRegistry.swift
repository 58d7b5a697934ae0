import Foundation
import HTTP
import OCI

/// One bucket used as a registry (see `BucketLayout`): what syncing needs to read and write there,
/// in the distribution API's terms (manifests, blobs, tags).
public final class BucketRegistry: Sendable {
    public let client: S3Client
    private let pinged = PingState()

    public init(client: S3Client) { self.client = client }

    public var address: BucketAddress { client.address }

    /// The digest of `image`'s manifest at `reference`: from the object's digest metadata, else by
    /// hashing the object (written by another tool). nil when there is none.
    public func manifestDigest(image: String, reference: String) async throws -> Digest? {
        let key = BucketLayout.manifest(image, reference)
        guard let head = try await client.headObject(key) else { return nil }
        if let stored = head.metadata[BucketLayout.digestMetadata].flatMap(Digest.init) { return stored }
        return try await client.getObject(key).map { Digest.sha256(of: $0) }
    }

    /// Stores `manifest` under `reference` byte for byte, typed and with its digest as metadata.
    public func putManifest(image: String, reference: String, manifest: RawManifest) async throws {
        try await client.putObject(BucketLayout.manifest(image, reference), bytes: manifest.bytes,
                                   contentType: manifest.mediaType.rawValue,
                                   metadata: [BucketLayout.digestMetadata: manifest.digest.description])
    }

    public func blobExists(image: String, digest: Digest) async throws -> Bool {
        try await client.headObject(BucketLayout.blob(image, digest.description)) != nil
    }

    /// The bucket's cross-repository mount: a server-side copy from another image's blob. False
    /// when that image lacks it, or it is too big for one CopyObject (5 GiB).
    public func copyBlob(_ digest: Digest, size: Int64, from sourceImage: String, to image: String) async throws -> Bool {
        guard size <= 5 << 30 else { return false }
        return try await client.copyObject(from: BucketLayout.blob(sourceImage, digest.description),
                                           to: BucketLayout.blob(image, digest.description))
    }

    /// Streams blob `digest` of `size` bytes from a fresh `makeSource()` per attempt. A sha256 blob's
    /// PUT is signed with its own hash, so S3 refuses content that does not match it.
    public func putBlob(image: String, digest: Digest, size: Int64,
                        sources makeSource: () async throws -> HTTPBodySource) async throws {
        try await client.putObject(BucketLayout.blob(image, digest.description), size: size,
                                   sha256Hex: digest.algorithm == .sha256 ? digest.hex : nil,
                                   contentType: BucketLayout.blobContentType,
                                   metadata: [BucketLayout.digestMetadata: digest.description], sources: makeSource)
    }

    /// The tags of `image`: the non-digest keys under its `manifests/`.
    public func listTags(image: String) async throws -> [String] {
        BucketLayout.tags(inManifestKeys: try await client.listKeys(prefix: BucketLayout.manifests(image)), image: image)
    }

    /// The tags `v2/<image>/tags/list` names now; nil when it is absent or not a tag list.
    public func storedTagList(image: String) async throws -> [String]? {
        struct TagList: Decodable { let tags: [String]? }
        guard let body = try await client.getObject(BucketLayout.tagList(image)) else { return nil }
        return (try? JSONDecoder().decode(TagList.self, from: Data(body)))?.tags ?? nil
    }

    /// Rewrites `v2/<image>/tags/list` from the tags present now. Callers serialise this per image,
    /// so the last writer has seen every tag written before it.
    public func writeTagList(image: String) async throws {
        struct TagList: Encodable { let name: String; let tags: [String] }
        let tags = try await listTags(image: image).sorted()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(TagList(name: image, tags: tags))
        try await client.putObject(BucketLayout.tagList(image), bytes: Array(body), contentType: "application/json")
    }

    /// Makes sure the ping object `v2` exists: a HEAD once per process, a PUT only when it is missing.
    public func ensurePing() async throws {
        guard !pinged.isDone else { return }
        if try await client.headObject(BucketLayout.ping) == nil {
            try await client.putObject(BucketLayout.ping, bytes: BucketLayout.pingBody, contentType: "application/json")
        }
        pinged.markDone()
    }
}

private final class PingState: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    var isDone: Bool { lock.withLock { done } }
    func markDone() { lock.withLock { done = true } }
}
