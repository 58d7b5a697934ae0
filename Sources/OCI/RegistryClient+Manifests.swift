import HTTP

/// What a manifest `HEAD` tells: enough to compare source and target without pulling.
public struct ManifestHead: Sendable, Hashable {
    public let digest: Digest
    public let mediaType: MediaType
    public let size: Int64

    public init(digest: Digest, mediaType: MediaType, size: Int64) {
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
    }
}

extension RegistryClient {
    /// The digest, media type and size of `repository`'s manifest at `reference` (a tag or a
    /// digest), or nil when there is none. Uses `Docker-Content-Digest`; a registry that does not
    /// send it gets a GET and the bytes are hashed. A HEAD is free of Docker Hub's pull limit.
    public func headManifest(repository: String, reference: String) async throws -> ManifestHead? {
        let url = url("/v2/\(repository)/manifests/\(reference)")
        let response = try await retrying("HEAD \(repository):\(reference)") {
            let response = try await send("HEAD", url, headers: ["Accept": MediaType.manifestAcceptHeader],
                                          scopes: readScopes(repository))
            try check(response, "HEAD", url, accepting: [404])
            return response
        }
        if response.status == 404 { return nil }
        let mediaType = response.headers["Content-Type"].map(MediaType.init(contentType:))
        if let digest = response.headers["Docker-Content-Digest"].flatMap(Digest.init),
           let mediaType, mediaType.isManifest,
           let size = response.headers["Content-Length"].flatMap({ Int64($0) }) {
            return ManifestHead(digest: digest, mediaType: mediaType, size: size)
        }
        do {
            let manifest = try await getManifest(repository: repository, reference: reference)
            return ManifestHead(digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size)
        } catch let error as RegistryError where error.isNotFound {
            return nil
        }
    }

    /// The manifest at `reference` (a tag or a digest), bytes as served. Fetched by digest, the
    /// bytes are checked against it. Schema 1 and unknown media types are refused.
    public func getManifest(repository: String, reference: String) async throws -> RawManifest {
        let url = url("/v2/\(repository)/manifests/\(reference)")
        let expected = try? Digest(parsing: reference)
        let response = try await retrying("GET \(repository):\(reference)") {
            let response = try await send("GET", url, headers: ["Accept": MediaType.manifestAcceptHeader],
                                          scopes: readScopes(repository), maxBodyBytes: options.maxManifestBytes)
            try check(response, "GET", url)
            if let expected {
                let actual = Digest.compute(expected.algorithm, of: response.body)
                guard actual == expected else {
                    throw RegistryError(registry: registry, method: "GET", path: displayPath(url),
                                        reason: DigestError.mismatch(expected: expected, actual: actual).description,
                                        classification: .retryable)
                }
            }
            return response
        }
        do {
            let mediaType = try ParsedManifest.resolveMediaType(bytes: response.body, contentType: response.headers["Content-Type"])
            return RawManifest(bytes: response.body, mediaType: mediaType)
        } catch let error as ManifestError {
            throw RegistryError(registry: registry, method: "GET", path: displayPath(url),
                                reason: error.description, classification: .fatal)
        }
    }

    /// Stores `manifest` byte for byte under `reference` (a tag, or its digest), with its media
    /// type as `Content-Type`. Push children and blobs first: registries refuse dangling references.
    /// Returns the digest the registry reports (ours when it says none).
    @discardableResult
    public func putManifest(repository: String, reference: String, manifest: RawManifest) async throws -> Digest {
        try await prepareForPush(repository)
        let url = url("/v2/\(repository)/manifests/\(reference)")
        let response = try await retrying("PUT \(repository):\(reference)") {
            let response = try await send("PUT", url, headers: ["Content-Type": manifest.mediaType.rawValue],
                                          body: .bytes(manifest.bytes), scopes: writeScopes(repository))
            try check(response, "PUT", url)
            return response
        }
        let reported = response.headers["Docker-Content-Digest"].flatMap(Digest.init)
        if let reported, reported != manifest.digest {
            logger.warning("\(repository):\(reference): registry stored the manifest as \(reported), pushed \(manifest.digest)")
        }
        return reported ?? manifest.digest
    }

    /// Deletes `reference` from `repository`: a digest removes the manifest and every tag pointing at
    /// it; a tag removes only that tag, where the registry supports it (OCI distribution 1.1,
    /// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-tags). A registry
    /// that does not answers 400, 405 or `UNSUPPORTED` (`RegistryError.refusesTagDeletion`);
    /// one with deletes disabled answers 405 `UNSUPPORTED` (`RegistryError.isUnsupported`).
    @discardableResult
    public func deleteManifest(repository: String, reference: String) async throws -> ManifestDeletion {
        let url = url("/v2/\(repository)/manifests/\(reference)")
        let response = try await retrying("DELETE \(repository):\(reference)") {
            let response = try await send("DELETE", url, scopes: ["repository:\(repository):delete"] + writeScopes(repository))
            try check(response, "DELETE", url, accepting: [404])
            return response
        }
        guard response.status == 404 else { return .deleted }
        let error = RegistryError(registry: registry, method: "DELETE", path: displayPath(url), head: response.head, body: response.body)
        if error.isUnsupported { throw error }
        return .absent
    }
}

/// What a manifest or tag `DELETE` did.
public enum ManifestDeletion: Sendable, Equatable {
    case deleted
    /// There was nothing to delete (404).
    case absent
}

extension RegistryError {
    /// The registry does not do this operation at all: 405, or the OCI code `UNSUPPORTED`
    /// (distribution answers a DELETE so when `storage.delete.enabled` is off).
    public var isUnsupported: Bool { status == 405 || codes.contains("UNSUPPORTED") }

    /// The answer of a registry that cannot delete a tag alone (before OCI distribution 1.1):
    /// distribution 2.x answers 400 `DIGEST_INVALID`, others 405 or `UNSUPPORTED`.
    public var refusesTagDeletion: Bool { isUnsupported || status == 400 }
}
