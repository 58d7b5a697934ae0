import Foundation

/// A content media type, e.g. `application/vnd.oci.image.manifest.v1+json`.
///
/// OCI: https://github.com/opencontainers/image-spec/blob/main/media-types.md
/// Docker: https://distribution.github.io/distribution/spec/manifest-v2-2/
public struct MediaType: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// From a `Content-Type` header: parameters (`; charset=utf-8`) dropped, lowercased.
    public init(contentType: String) {
        let bare = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        self.rawValue = bare.trimmingCharacters(in: .whitespaces).lowercased()
    }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    // OCI image spec
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributable: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNondistributableGzip: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociLayerNondistributableZstd: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

    // Docker image manifest v2, schema 2
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayer: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let dockerPluginConfig: MediaType = "application/vnd.docker.plugin.v1+json"

    // Docker schema 1: recognised only to refuse it clearly.
    public static let dockerSchema1: MediaType = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed: MediaType = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// An index (manifest list): its children are manifests.
    public var isIndex: Bool { self == .ociIndex || self == .dockerManifestList }

    /// A single-image (or artifact) manifest: config plus layers.
    public var isImageManifest: Bool { self == .ociManifest || self == .dockerManifest }

    /// Docker schema 1, which docker-sync does not support.
    public var isSchema1: Bool { self == .dockerSchema1 || self == .dockerSchema1Signed }

    /// Any manifest type a registry may serve, supported or not.
    public var isManifest: Bool { isIndex || isImageManifest || isSchema1 }

    /// A layer whose bytes the registry may not hold (`urls` points elsewhere): copying is optional.
    public var isNonDistributable: Bool {
        self == .dockerForeignLayer || rawValue.hasPrefix("application/vnd.oci.image.layer.nondistributable.")
    }

    /// The manifest types docker-sync asks for, index types first: distribution 2.8 serves an index
    /// only to a client that accepts it, and answers 404 otherwise. Schema 1 comes last so that
    /// schema-1-only content gets a clear "unsupported" error rather than a 404.
    public static let manifestAccept: [MediaType] = [
        .ociIndex, .dockerManifestList, .ociManifest, .dockerManifest, .dockerSchema1Signed, .dockerSchema1,
    ]

    /// `Accept` header value for manifest requests.
    public static let manifestAcceptHeader: String = manifestAccept.map(\.rawValue).joined(separator: ", ")
}
