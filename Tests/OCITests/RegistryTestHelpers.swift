import Foundation
import HTTP
import Logging
import XCTest
@testable import OCI
import TestSupport

/// Shared by the tests that talk to a real `docker-registry`.
enum Live {
    static let http = HTTPClient()

    /// Fast retries, so that fault tests do not wait long.
    static let quickRetries = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2, maxRateLimitWait: 10)

    static func client(_ host: String, credentials: OCI.RegistryCredentials = .anonymous, access: RegistryClient.Access = .pullPush,
                       retryPolicy: RetryPolicy = quickRetries,
                       configure: (inout RegistryClient.Options) -> Void = { _ in }) -> RegistryClient {
        var options = RegistryClient.Options()
        configure(&options)
        return RegistryClient(registry: host, http: http, credentials: credentials, access: access,
                              retryPolicy: retryPolicy, options: options)
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// An OCI image manifest for `config` and `layers` (already pushed).
    static func manifest(config: [UInt8], layers: [[UInt8]]) -> RawManifest {
        func descriptor(_ type: MediaType, _ bytes: [UInt8]) -> String {
            "{\"mediaType\":\"\(type)\",\"digest\":\"\(Digest.sha256(of: bytes))\",\"size\":\(bytes.count)}"
        }
        let json = "{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"config\":\(descriptor(.ociConfig, config)),"
            + "\"layers\":[\(layers.map { descriptor(.ociLayerGzip, $0) }.joined(separator: ","))]}"
        return RawManifest(bytes: Array(json.utf8), mediaType: .ociManifest)
    }

    /// Pushes a small image (config + two layers) to `repository:tag`; returns its manifest.
    @discardableResult
    static func pushImage(_ client: RegistryClient, repository: String, tag: String, seed: UInt64 = 1) async throws -> RawManifest {
        let config = Array("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\(seed)}".utf8)
        let layers = [bytes(3000, seed: seed), bytes(5000, seed: seed + 100)]
        try await client.pushBlob(repository: repository, bytes: config)
        for layer in layers {
            try await client.pushBlob(repository: repository, digest: Digest.sha256(of: layer), size: Int64(layer.count),
                                      sources: { BytesSource(layer) })
        }
        let manifest = manifest(config: config, layers: layers)
        try await client.putManifest(repository: repository, reference: tag, manifest: manifest)
        return manifest
    }

    static func index(of children: [RawManifest]) -> RawManifest {
        let entries = children.enumerated().map { i, child in
            "{\"mediaType\":\"\(child.mediaType)\",\"digest\":\"\(child.digest)\",\"size\":\(child.size),"
                + "\"platform\":{\"architecture\":\"\(i == 0 ? "amd64" : "arm64")\",\"os\":\"linux\"}}"
        }
        let json = "{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[\(entries.joined(separator: ","))]}"
        return RawManifest(bytes: Array(json.utf8), mediaType: .ociIndex)
    }

    /// Runs `body` with a failure message naming the error, for `XCTAssertThrowsError` in async code.
    static func error<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> Error? {
        do {
            _ = try await body()
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }
}

/// Keeps a streamed body in memory.
final class CollectingSink: HTTPBodySink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [UInt8] = []
    private var heads: [HTTPResponseHead] = []

    var bytes: [UInt8] { lock.withLock { collected } }
    var receivedHeads: Int { lock.withLock { heads.count } }

    func receive(head: HTTPResponseHead) throws { lock.withLock { heads.append(head) } }
    func write(_ bytes: UnsafeRawBufferPointer) throws { lock.withLock { collected.append(contentsOf: bytes) } }
}
