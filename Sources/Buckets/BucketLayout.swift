import OCI

/// Where a registry's content lives in a bucket, so that the bucket's public URL answers the pull
/// half of the distribution API with plain objects
/// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pull):
///
///     v2                               GET /v2/ (the ping; a rewrite rule maps /v2/ to it)
///     v2/<image>/manifests/<tag>       GET /v2/<image>/manifests/<tag>
///     v2/<image>/manifests/<digest>    GET /v2/<image>/manifests/<digest>
///     v2/<image>/blobs/<digest>        GET /v2/<image>/blobs/<digest>
///     v2/<image>/tags/list             GET /v2/<image>/tags/list
///
/// The same keys as the original docker-sync (it wrote no `tags/list`); manifests carry their
/// media type as Content-Type and their digest in `x-amz-meta-docker-content-digest`.
public enum BucketLayout {
    public static let ping = "v2"
    /// The ping object's body: registries answer `/v2/` with an empty JSON object.
    public static let pingBody: [UInt8] = Array("{}".utf8)
    /// User metadata holding a manifest's or blob's digest (sent as `x-amz-meta-docker-content-digest`).
    public static let digestMetadata = "docker-content-digest"
    public static let blobContentType = "application/octet-stream"

    public static func blob(_ image: String, _ digest: String) -> String { "v2/\(image)/blobs/\(digest)" }
    public static func manifest(_ image: String, _ reference: String) -> String { "v2/\(image)/manifests/\(reference)" }
    public static func manifests(_ image: String) -> String { "v2/\(image)/manifests/" }
    public static func tagList(_ image: String) -> String { "v2/\(image)/tags/list" }
    public static func blobs(_ image: String) -> String { "v2/\(image)/blobs/" }

    /// The digest a key directly under `prefix` (`manifests(image)` or `blobs(image)`) stores, if it
    /// names one; keys of a nested image (`v2/<image>/<more>/…`) and tags name none.
    public static func digest(inKey key: String, under prefix: String) -> Digest? {
        guard key.hasPrefix(prefix) else { return nil }
        let reference = key.dropFirst(prefix.count)
        guard !reference.contains("/") else { return nil }
        return Digest(String(reference))
    }

    /// The tags among the keys under `manifests(image)`: digests are not tags.
    public static func tags(inManifestKeys keys: [String], image: String) -> [String] {
        let prefix = manifests(image)
        return keys.compactMap { key in
            guard key.hasPrefix(prefix) else { return nil }
            let reference = String(key.dropFirst(prefix.count))
            guard !reference.isEmpty, !reference.contains("/"), !reference.contains(":") else { return nil }
            return reference
        }
    }
}
