import Foundation

/// A manifest exactly as the registry served it. The bytes are what gets pushed — never
/// re-encoded — so the digest is preserved.
public struct RawManifest: Sendable, Hashable {
    public let bytes: [UInt8]
    /// Resolved media type (see `ParsedManifest.resolveMediaType`), sent as `Content-Type` on push.
    public let mediaType: MediaType
    /// sha256 of `bytes`.
    public let digest: Digest

    public init(bytes: [UInt8], mediaType: MediaType) {
        self.bytes = bytes
        self.mediaType = mediaType
        self.digest = Digest.sha256(of: bytes)
    }

    public var size: Int64 { Int64(bytes.count) }

    /// A descriptor pointing at this manifest.
    public var descriptor: Descriptor { Descriptor(mediaType: mediaType, digest: digest, size: size) }
}

/// The parts of an image manifest or an index that copying needs.
/// https://github.com/opencontainers/image-spec/blob/main/manifest.md ·
/// https://github.com/opencontainers/image-spec/blob/main/image-index.md
public struct ParsedManifest: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Config plus layers (also OCI artifacts).
        case image
        /// A list of manifests, each possibly for another platform (and possibly itself an index).
        case index
    }

    public let raw: RawManifest
    public let kind: Kind
    public var mediaType: MediaType { raw.mediaType }
    public var digest: Digest { raw.digest }
    /// Image manifests only.
    public let config: Descriptor?
    public let layers: [Descriptor]
    /// Index children, with their platforms.
    public let manifests: [Descriptor]
    /// The manifest this one refers to (signatures, SBOMs — the referrers API).
    public let subject: Descriptor?
    public let artifactType: String?
    public let annotations: [String: String]?

    /// Parses `raw`, whose media type has been resolved already (it is re-checked).
    public init(_ raw: RawManifest) throws {
        try self.init(bytes: raw.bytes, contentType: raw.mediaType.rawValue)
    }

    /// Parses manifest bytes; `contentType` is the response's `Content-Type`, if any.
    public init(bytes: [UInt8], contentType: String?) throws {
        let json = try Self.decode(bytes, contentType: contentType)
        let mediaType = try Self.resolveMediaType(json, contentType: contentType)
        self.raw = RawManifest(bytes: bytes, mediaType: mediaType)
        self.kind = mediaType.isIndex ? .index : .image
        self.config = json.config
        self.layers = json.layers ?? []
        self.manifests = json.manifests ?? []
        self.subject = json.subject
        self.artifactType = json.artifactType
        self.annotations = json.annotations
        if kind == .image, config == nil { throw ManifestError.missingConfig(raw.digest) }
    }

    /// The media type of a manifest: the `Content-Type` when it names a manifest type, else the
    /// JSON `mediaType` field, else sniffed (`manifests` → index, `layers`/`config` → image).
    public static func resolveMediaType(bytes: [UInt8], contentType: String?) throws -> MediaType {
        try resolveMediaType(decode(bytes, contentType: contentType), contentType: contentType)
    }

    /// Content blobs to copy — the config, then the layers — in manifest order, without
    /// duplicates; foreign layers are left out unless `includingForeign`.
    public func blobs(includingForeign: Bool = false) -> [Descriptor] {
        var seen = Set<Digest>()
        return ([config].compactMap { $0 } + layers).filter { descriptor in
            (includingForeign || !descriptor.isForeign) && seen.insert(descriptor.digest).inserted
        }
    }

    /// Non-distributable layers (foreign media type or `urls`), which `blobs()` skips by default.
    public var foreignLayers: [Descriptor] { layers.filter(\.isForeign) }
}

extension ParsedManifest {
    struct JSONShape: Decodable {
        var schemaVersion: Int?
        var mediaType: String?
        var config: Descriptor?
        var layers: [Descriptor]?
        var manifests: [Descriptor]?
        var subject: Descriptor?
        var artifactType: String?
        var annotations: [String: String]?
    }

    static func decode(_ bytes: [UInt8], contentType: String?) throws -> JSONShape {
        let header = contentType.map(MediaType.init(contentType:))
        if let header, header.isSchema1 { throw ManifestError.unsupportedSchema1(header) }
        do {
            return try JSONDecoder().decode(JSONShape.self, from: Data(bytes))
        } catch {
            throw ManifestError.invalidJSON(Digest.sha256(of: bytes), Self.describe(error))
        }
    }

    static func resolveMediaType(_ json: JSONShape, contentType: String?) throws -> MediaType {
        let header = contentType.map(MediaType.init(contentType:))
        let resolved: MediaType
        if let header, header.isManifest {
            resolved = header
        } else if let field = json.mediaType {
            resolved = MediaType(rawValue: field)
        } else if json.schemaVersion == 1 {
            resolved = .dockerSchema1
        } else if json.manifests != nil {
            resolved = .ociIndex
        } else if json.layers != nil || json.config != nil {
            resolved = .ociManifest
        } else {
            throw ManifestError.unknownMediaType(header?.rawValue ?? "(none)")
        }
        if resolved.isSchema1 || json.schemaVersion == 1 { throw ManifestError.unsupportedSchema1(resolved) }
        guard resolved.isManifest else { throw ManifestError.unknownMediaType(resolved.rawValue) }
        return resolved
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context),
             let DecodingError.typeMismatch(_, context),
             let DecodingError.valueNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case let DecodingError.keyNotFound(key, context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "\(path) is missing"
        default:
            return "not valid JSON"
        }
    }
}

public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Docker schema 1 (v1) manifests are deprecated and not supported.
    case unsupportedSchema1(MediaType)
    case invalidJSON(Digest, String)
    case unknownMediaType(String)
    case missingConfig(Digest)

    public var description: String {
        switch self {
        case let .unsupportedSchema1(type):
            return "manifest is Docker schema 1 (\(type)), which docker-sync does not support; "
                + "rebuild and push the image with a current Docker to get a schema 2 or OCI manifest"
        case let .invalidJSON(digest, reason):
            return "manifest \(digest.short) is not a valid manifest: \(reason)"
        case let .unknownMediaType(type):
            return "unsupported manifest media type \(type)"
        case let .missingConfig(digest):
            return "image manifest \(digest.short) has no config descriptor"
        }
    }
}
