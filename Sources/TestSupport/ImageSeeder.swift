import Foundation

/// Pushes test images into a registry with `Scripts/seed_image.py`, independently of docker-sync's
/// own client, and returns the digests it pushed. Content is pseudo-random but deterministic per
/// seed, so images with different seeds have distinct blobs and the same seed gives the same digests.
public struct ImageSeeder: Sendable {
    public enum Kind: Sendable {
        /// Docker v2 schema 2 image: config + one layer per size.
        case docker(layers: [Int])
        /// OCI image manifest.
        case oci(layers: [Int])
        /// Docker manifest list of linux/amd64 and linux/arm64/v8 images.
        case dockerManifestList(layers: [Int])
        /// OCI index of linux/amd64 and linux/arm64/v8 images.
        case ociIndex(layers: [Int])
        /// OCI index → (OCI index → amd64, arm64 images) + a linux/s390x image.
        case nestedIndex(layers: [Int])
        /// OCI manifest with a custom config media type and an `artifactType`.
        case artifact(configMediaType: String = "application/vnd.example.config.v1+json",
                      artifactType: String = "application/vnd.example.artifact.v1", layers: [Int])
        /// OCI image whose manifest is indented JSON (not canonical): its digest is of these bytes.
        case prettyPrinted(layers: [Int])
        /// Docker v2 image with one big layer (256 MiB by default), streamed, never in memory.
        case big(layerSize: Int = 256 << 20)
    }

    public struct Image: Sendable {
        public var repository: String
        public var tag: String
        public var kind: Kind
        public var seed: Int
        /// A first layer of this size whose content depends on the size alone: images seeded
        /// with the same `baseLayer` share that blob.
        public var baseLayer: Int?

        public init(repository: String, tag: String, kind: Kind, seed: Int = 0, baseLayer: Int? = nil) {
            self.repository = repository
            self.tag = tag
            self.kind = kind
            self.seed = seed
            self.baseLayer = baseLayer
        }
    }

    public struct Platform: Decodable, Sendable, Hashable {
        public let architecture: String
        public let os: String
        public let variant: String?
    }

    public struct Descriptor: Decodable, Sendable, Hashable {
        public let mediaType: String
        public let digest: String
        public let size: Int
        public let platform: Platform?
    }

    /// What was pushed for one tag.
    public struct Pushed: Decodable, Sendable {
        public let repository: String
        public let tag: String
        /// Digest of the manifest at the tag (the index for multi-platform kinds).
        public let digest: String
        public let mediaType: String
        public let size: Int
        /// Every manifest below the tag's, children before their index (empty for a single image).
        public let manifests: [Descriptor]
        /// Every config and layer digest the tag references.
        public let blobs: [String]
    }

    /// `HOST:PORT` of the registry.
    public let registry: String
    public let credentials: RegistryLogin?

    public init(registry: String, credentials: RegistryLogin? = nil) {
        self.registry = registry
        self.credentials = credentials
    }

    /// Seeds `server` with its own credentials (Basic or token auth, whichever it challenges with).
    public init(_ server: RegistryServer) {
        self.init(registry: server.host, credentials: server.credentials)
    }

    @discardableResult
    public func push(_ kind: Kind, repository: String, tag: String, seed: Int = 0, baseLayer: Int? = nil) throws -> Pushed {
        try push([Image(repository: repository, tag: tag, kind: kind, seed: seed, baseLayer: baseLayer)])[0]
    }

    /// Pushes `images` in order, in one run of the script (a shared base layer is generated once).
    @discardableResult
    public func push(_ images: [Image]) throws -> [Pushed] {
        struct Result: Decodable { let images: [Pushed] }
        let output = try Command.run(Python.executable, [SourceTree.script("seed_image.py")],
                                     stdin: try requestJSON(images), timeout: 900)
        return try JSONDecoder().decode(Result.self, from: output.stdout).images
    }

    func requestJSON(_ images: [Image]) throws -> Data {
        struct Spec: Encodable {
            let repository, tag, kind: String
            let layers: [Int]
            let seed: Int
            let baseLayer: Int?
            let configMediaType, artifactType: String?
        }
        struct Request: Encodable {
            let registry: String
            let username, password: String?
            let images: [Spec]
        }
        let specs = images.map { image -> Spec in
            let (kind, layers, configType, artifactType) = Self.describe(image.kind)
            return Spec(repository: image.repository, tag: image.tag, kind: kind, layers: layers, seed: image.seed,
                        baseLayer: image.baseLayer, configMediaType: configType, artifactType: artifactType)
        }
        return try JSONEncoder().encode(Request(registry: registry, username: credentials?.username,
                                                password: credentials?.password, images: specs))
    }

    static func describe(_ kind: Kind) -> (String, [Int], String?, String?) {
        switch kind {
        case let .docker(layers): return ("docker", layers, nil, nil)
        case let .oci(layers): return ("oci", layers, nil, nil)
        case let .dockerManifestList(layers): return ("docker-list", layers, nil, nil)
        case let .ociIndex(layers): return ("oci-index", layers, nil, nil)
        case let .nestedIndex(layers): return ("nested-index", layers, nil, nil)
        case let .artifact(configType, artifactType, layers): return ("artifact", layers, configType, artifactType)
        case let .prettyPrinted(layers): return ("pretty", layers, nil, nil)
        case let .big(size): return ("docker", [size], nil, nil)
        }
    }

    /// The media type of a signed Docker v1 (schema1) manifest.
    public static let schema1MediaType = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// A schema1 manifest for `repository:tag`. distribution 2.8 refuses schema1 pushes, so tests
    /// serve it through a proxy: `FaultRule.serveManifest(repository:reference:body:mediaType:)`.
    /// The signature is a syntactically valid placeholder; nothing here verifies it.
    public static func schema1Manifest(repository: String, tag: String) -> Data {
        let manifest = """
        {
           "schemaVersion": 1,
           "name": "\(repository)",
           "tag": "\(tag)",
           "architecture": "amd64",
           "fsLayers": [
              {
                 "blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"
              }
           ],
           "history": [
              {
                 "v1Compatibility": "{\\"id\\":\\"e45a5af57b00862e5ef5782a9925979a02ba2b12dff832fd0991335f4a11e5c5\\",\\"created\\":\\"2016-01-01T00:00:00Z\\",\\"architecture\\":\\"amd64\\",\\"os\\":\\"linux\\"}"
              }
           ],
           "signatures": [
              {
                 "header": {
                    "jwk": {"crv": "P-256", "kty": "EC", "x": "AAAA", "y": "AAAA"},
                    "alg": "ES256"
                 },
                 "signature": "AAAA",
                 "protected": "eyJmb3JtYXRMZW5ndGgiOjEsImZvcm1hdFRhaWwiOiJDbjAiLCJ0aW1lIjoiMjAxNi0wMS0wMVQwMDowMDowMFoifQ"
              }
           ]
        }
        """
        return Data(manifest.utf8)
    }
}
