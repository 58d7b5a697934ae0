/// A pointer to content: what it is, its digest and size, and where else it may live.
/// https://github.com/opencontainers/image-spec/blob/main/descriptor.md
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: MediaType
    public var digest: Digest
    public var size: Int64
    /// Where a non-distributable (foreign) layer can be fetched from instead of the registry.
    public var urls: [String]?
    public var annotations: [String: String]?
    /// For an index's children: the platform the child manifest is for.
    public var platform: Platform?
    public var artifactType: String?

    public init(mediaType: MediaType, digest: Digest, size: Int64, urls: [String]? = nil,
                annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }

    /// A layer the registry need not hold: a non-distributable media type, or one listing `urls`.
    /// Registries refuse or skip these; copying them is optional (`ParsedManifest.blobs(includingForeign:)`).
    public var isForeign: Bool { mediaType.isNonDistributable || !(urls ?? []).isEmpty }
}

/// https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?
    public var features: [String]?

    public init(architecture: String, os: String, osVersion: String? = nil, osFeatures: [String]? = nil,
                variant: String? = nil, features: [String]? = nil) {
        self.architecture = architecture
        self.os = os
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.variant = variant
        self.features = features
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant, features
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// `os/architecture[/variant]`, as `docker pull --platform` spells it.
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}
