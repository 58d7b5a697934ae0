import Foundation
import HTTP
import XCTest
@testable import OCI
import TestSupport

/// Retries, rate limits, broken connections and corrupt content, injected by a proxy in front of a
/// real registry.
final class RegistryFaultTests: XCTestCase {
    var registry: RegistryServer!
    var proxy: FaultProxy!

    override func setUpWithError() throws {
        registry = try RegistryServer.start()
        proxy = try FaultProxy.start(upstream: registry)
    }

    override func tearDown() {
        proxy?.stop()
        registry?.stop()
    }

    /// An image pushed straight to the registry; the faults apply to the client behind the proxy.
    func seed(_ repository: String = "app", tag: String = "v1") async throws -> RawManifest {
        try await Live.pushImage(Live.client(registry.host), repository: repository, tag: tag)
    }

    /// The proxy records each request before it answers it, so the stats include every request made so far.
    func settledStats() throws -> FaultProxyStats {
        try proxy.stats()
    }

    func testServerErrorsAreRetried() async throws {
        let manifest = try await seed()
        try proxy.setFaults([.status(503, methods: ["HEAD"], path: "/manifests/v1$", times: 2)])
        let head = try await Live.client(proxy.host).headManifest(repository: "app", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)
        let stats = try settledStats()
        XCTAssertEqual(stats.faultCount("rule0"), 2)
        XCTAssertEqual(stats.count("HEAD", .manifest), 3)
    }

    func testExhaustedRetriesEndWithARetryableError() async throws {
        try proxy.setFaults([.status(502, path: "/manifests/")])
        let error = await Live.error { try await Live.client(self.proxy.host).getManifest(repository: "app", reference: "v1") }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 502)
        XCTAssertEqual(registryError.classification, .retryable, "the job layer may try again later")
        XCTAssertEqual(try proxy.stats().count("GET", .manifest), Live.quickRetries.maxAttempts)
    }

    func testConnectionResetsAreRetried() async throws {
        let manifest = try await seed()
        try proxy.setFaults([.reset(methods: ["GET"], path: "/manifests/v1$", times: 1)])
        let fetched = try await Live.client(proxy.host).getManifest(repository: "app", reference: "v1")
        XCTAssertEqual(fetched, manifest)
    }

    func testRateLimitsAreWaitedOutWithoutUsingAttempts() async throws {
        let manifest = try await seed()
        try proxy.setFaults([
            .tooManyRequests(retryAfter: 1, methods: ["HEAD"], path: "/manifests/v1$", times: 1),
            .tooManyRequests(rateLimitReset: 1, methods: ["HEAD"], path: "/manifests/v1$", times: 1),
        ])
        let client = Live.client(proxy.host, retryPolicy: RetryPolicy(maxAttempts: 1, maxRateLimitWait: 5))
        let started = Date()
        let head = try await client.headManifest(repository: "app", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.9, "both waits were honoured")
    }

    func testRateLimitBeyondTheBudgetIsReportedAsSuch() async throws {
        try proxy.setFaults([.tooManyRequests(retryAfter: 30, path: "/manifests/")])
        let error = await Live.error { try await Live.client(self.proxy.host).headManifest(repository: "app", reference: "v1") }
        XCTAssertEqual((error as? RegistryError)?.classification, .rateLimited(retryAfter: 30), "\(String(describing: error))")
    }

    func testBlobCutOffBeforeAnyByteIsRetried() async throws {
        let layer = try ParsedManifest(try await seed()).layers[1]
        try proxy.setFaults([.reset(methods: ["GET"], path: "/blobs/sha256:", times: 1)])
        let sink = CollectingSink()
        try await Live.client(proxy.host).getBlob(repository: "app", digest: layer.digest, size: layer.size, into: sink)
        XCTAssertEqual(Digest.sha256(of: sink.bytes), layer.digest)
        XCTAssertEqual(try settledStats().count("GET", .blob), 2)
    }

    func testBlobCutOffMidwayFailsWithoutRetryAndFailsThePipe() async throws {
        let layer = try ParsedManifest(try await seed()).layers[1]
        try proxy.setFaults([.truncate(afterBytes: 1000, methods: ["GET"], path: "/blobs/sha256:", times: 1)])
        let pipe = HTTPBodyPipe(capacity: 1 << 20)
        let error = await Live.error {
            try await Live.client(self.proxy.host).getBlob(repository: "app", digest: layer.digest, size: layer.size, into: pipe)
        }
        XCTAssertEqual((error as? RegistryError)?.classification, .retryable, "\(String(describing: error))")
        XCTAssertEqual(try settledStats().count("GET", .blob), 1, "bytes already handed on cannot be taken back")
        var buffer = [UInt8](repeating: 0, count: 4096)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { _ = try pipe.read(into: $0); _ = try pipe.read(into: $0) },
                             "the reader of the pipe sees the failure")
    }

    func testCorruptBlobIsNeverCommittedDownstream() async throws {
        let layer = try ParsedManifest(try await seed()).layers[1]
        var corrupt = Live.bytes(Int(layer.size), seed: 99)
        corrupt[0] ^= 0xff
        try proxy.setFaults([.status(200, methods: ["GET"], path: "/blobs/\(layer.digest)",
                                     headers: ["Content-Type": "application/octet-stream"], body: Data(corrupt))])
        let target = try RegistryServer.start()
        defer { target.stop() }
        let pipe = HTTPBodyPipe(capacity: 64 << 10)
        let source = Live.client(proxy.host, retryPolicy: .none)
        let destination = Live.client(target.host)
        let push = Task { try await destination.pushBlob(repository: "copy", digest: layer.digest, size: layer.size, from: pipe) }
        let pullError = await Live.error { try await source.getBlob(repository: "app", digest: layer.digest, size: layer.size, into: pipe) }
        let pushError = await Live.error { try await push.value }
        XCTAssertTrue("\(String(describing: pullError))".contains("digest mismatch"), "\(String(describing: pullError))")
        XCTAssertNotNil(pushError)
        let stored = try await destination.blobExists(repository: "copy", digest: layer.digest)
        XCTAssertNil(stored)
    }

    func testBlobStreamsFromRegistryToRegistryThroughAPipe() async throws {
        let client = Live.client(registry.host)
        let blob = Live.bytes(3 << 20, seed: 11)
        let digest = Digest.sha256(of: blob)
        try await client.pushBlob(repository: "big", digest: digest, size: Int64(blob.count), from: BytesSource(blob))

        let target = try RegistryServer.start()
        defer { target.stop() }
        let destination = Live.client(target.host) { $0.monolithicUploadLimit = 1 << 20; $0.chunkSize = 1 << 20 }
        let pipe = HTTPBodyPipe(capacity: 64 << 10)
        async let pushed: Void = destination.pushBlob(repository: "big", digest: digest, size: Int64(blob.count), from: pipe)
        try await client.getBlob(repository: "big", digest: digest, size: Int64(blob.count), into: pipe)
        try await pushed
        let stored = try await destination.blobExists(repository: "big", digest: digest)
        XCTAssertEqual(stored, Int64(blob.count))
        XCTAssertEqual(try target.requestCount(method: "PATCH", path: "^/v2/big/"), 3, "3 MiB in 1 MiB chunks")
    }

    func testRefusedMonolithicUploadIsResentInChunks() async throws {
        try proxy.setFaults([.status(413, methods: ["PUT"], path: "/blobs/uploads/.*digest=", times: 1)])
        let blob = Live.bytes(200_000, seed: 12)
        let digest = Digest.sha256(of: blob)
        let client = Live.client(proxy.host) { $0.chunkSize = 64 << 10 }
        try await client.pushBlob(repository: "fallback", digest: digest, size: Int64(blob.count), sources: { BytesSource(blob) })
        let stored = try await client.blobExists(repository: "fallback", digest: digest)
        XCTAssertEqual(stored, Int64(blob.count))
        let stats = try settledStats()
        XCTAssertEqual(stats.count("PATCH", .uploadChunk), 4)
        XCTAssertEqual(stats.faultCount("rule0"), 1)
    }

    func testSchema1ManifestsAreRefusedClearly() async throws {
        let body = ImageSeeder.schema1Manifest(repository: "old", tag: "v1")
        try proxy.setFaults([try .serveManifest(repository: "old", reference: "v1", body: body, mediaType: ImageSeeder.schema1MediaType)])
        let error = await Live.error { try await Live.client(self.proxy.host).getManifest(repository: "old", reference: "v1") }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.classification, .fatal)
        XCTAssertTrue(registryError.description.contains("Docker schema 1"), registryError.description)
        XCTAssertTrue(registryError.description.contains("/v2/old/manifests/v1"), registryError.description)
    }
}
