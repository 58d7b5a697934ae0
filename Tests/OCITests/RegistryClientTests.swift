import Foundation
import HTTP
import XCTest
@testable import OCI
import TestSupport

/// The client against a real distribution 2.8 registry (no auth).
final class RegistryClientTests: XCTestCase {
    var registry: RegistryServer!

    override func setUpWithError() throws {
        registry = try RegistryServer.start()
    }

    override func tearDown() {
        registry?.stop()
    }

    func testPushedImageReadsBackByTagAndDigest() async throws {
        let client = Live.client(registry.host)
        let manifest = try await Live.pushImage(client, repository: "team/app", tag: "v1")

        let byTag = try await client.headManifest(repository: "team/app", reference: "v1")
        XCTAssertEqual(byTag, ManifestHead(digest: manifest.digest, mediaType: .ociManifest, size: manifest.size))
        let byDigest = try await client.headManifest(repository: "team/app", reference: manifest.digest.description)
        XCTAssertEqual(byDigest?.digest, manifest.digest)

        let fetched = try await client.getManifest(repository: "team/app", reference: "v1")
        XCTAssertEqual(fetched, manifest, "bytes, media type and digest are preserved")
        let fetchedByDigest = try await client.getManifest(repository: "team/app", reference: manifest.digest.description)
        XCTAssertEqual(fetchedByDigest.bytes, manifest.bytes)

        let parsed = try ParsedManifest(fetched)
        for blob in parsed.blobs() {
            let size = try await client.blobExists(repository: "team/app", digest: blob.digest)
            XCTAssertEqual(size, blob.size)
        }
        let layer = parsed.layers[1]
        let sink = CollectingSink()
        let delivered = try await client.getBlob(repository: "team/app", digest: layer.digest, size: layer.size, into: sink)
        XCTAssertEqual(delivered, layer.size)
        XCTAssertEqual(Digest.sha256(of: sink.bytes), layer.digest)
        XCTAssertEqual(sink.receivedHeads, 1)

        XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/team/app:v1"), manifest.digest.description,
                       "skopeo sees the same manifest")
    }

    func testChunkedUploadAboveTheThreshold() async throws {
        let client = Live.client(registry.host) { options in
            options.monolithicUploadLimit = 4096
            options.chunkSize = 4096
        }
        let blob = Live.bytes(3 * 4096 + 7, seed: 9)
        let digest = Digest.sha256(of: blob)
        try await client.pushBlob(repository: "chunks", digest: digest, size: Int64(blob.count), from: BytesSource(blob))

        let stored = try await client.blobExists(repository: "chunks", digest: digest)
        XCTAssertEqual(stored, Int64(blob.count))
        XCTAssertEqual(try registry.requestCount(method: "PATCH", path: "/v2/chunks/blobs/uploads/"), 4)
        let sink = CollectingSink()
        try await client.getBlob(repository: "chunks", digest: digest, into: sink)
        XCTAssertEqual(sink.bytes, blob)
    }

    func testMonolithicUploadBelowTheThreshold() async throws {
        let client = Live.client(registry.host)
        let blob = Live.bytes(100_000, seed: 3)
        try await client.pushBlob(repository: "mono", digest: Digest.sha256(of: blob), size: Int64(blob.count), from: BytesSource(blob))
        XCTAssertEqual(try registry.requestCount(method: "PATCH", path: "^/v2/"), 0)
        XCTAssertEqual(try registry.requestCount(method: "PUT", path: "/v2/mono/blobs/uploads/"), 1)
    }

    func testWrongDigestIsRefusedByTheRegistry() async throws {
        let client = Live.client(registry.host)
        let blob = Live.bytes(1000, seed: 4)
        let claimed = Digest.sha256(of: Array("something else".utf8))
        let error = await Live.error {
            try await client.pushBlob(repository: "bad", digest: claimed, size: Int64(blob.count), from: BytesSource(blob))
        }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 400)
        XCTAssertEqual(registryError.codes, ["DIGEST_INVALID"])
        let stored = try await client.blobExists(repository: "bad", digest: claimed)
        XCTAssertNil(stored)
    }

    func testListTagsOfARepository() async throws {
        let client = Live.client(registry.host)
        let manifest = try await Live.pushImage(client, repository: "tags", tag: "a")
        for tag in ["b", "c", "1.0"] {
            try await client.putManifest(repository: "tags", reference: tag, manifest: manifest)
        }
        let value1 = try await client.listTags(repository: "tags").sorted()
        XCTAssertEqual(value1, ["1.0", "a", "b", "c"])
    }

    func testListTagsFollowsLinkPages() async throws {
        let proxy = try FaultProxy.start(upstream: registry)
        defer { proxy.stop() }
        try proxy.setFaults(try pagedRules(proxyHost: proxy.host))
        let tags = try await Live.client(proxy.host).listTags(repository: "paged")
        XCTAssertEqual(tags, ["a", "b", "c", "d"])
        XCTAssertEqual(try proxy.stats().count("GET", .tags), 3)
    }

    /// Three pages: a relative link, then an absolute one, then a page without tags.
    private func pagedRules(proxyHost: String) throws -> [FaultRule] {
        [
            .status(200, methods: ["GET"], path: "^/v2/paged/tags/list\\?n=1000$",
                    headers: ["Content-Type": "application/json", "Link": "</v2/paged/tags/list?last=b&n=1000>; rel=\"next\""],
                    body: Data(#"{"name":"paged","tags":["a","b"]}"#.utf8)),
            .status(200, methods: ["GET"], path: "last=b",
                    headers: ["Content-Type": "application/json",
                              "Link": "<http://\(proxyHost)/v2/paged/tags/list?last=d&n=1000>; rel=\"next\""],
                    body: Data(#"{"name":"paged","tags":["c","b","d"]}"#.utf8)),
            .status(200, methods: ["GET"], path: "last=d",
                    headers: ["Content-Type": "application/json"], body: Data(#"{"name":"paged","tags":null}"#.utf8)),
        ]
    }

    func testMountBetweenRepositories() async throws {
        let client = Live.client(registry.host)
        let manifest = try await Live.pushImage(client, repository: "origin", tag: "v1")
        let layer = try ParsedManifest(manifest).layers[0]

        let before = try await client.blobExists(repository: "copy", digest: layer.digest)
        XCTAssertNil(before)
        let mounted = try await client.mountBlob(repository: "copy", digest: layer.digest, from: "origin")
        XCTAssertTrue(mounted)
        let after = try await client.blobExists(repository: "copy", digest: layer.digest)
        XCTAssertEqual(after, layer.size)
        XCTAssertEqual(try registry.requestCount(method: "PATCH", path: "^/v2/") + registry.requestCount(method: "PUT", path: "/v2/copy/blobs/"), 0,
                       "nothing was uploaded")
    }

    func testFailedMountReturnsFalseAndCancelsItsUploadSession() async throws {
        let client = Live.client(registry.host)
        let missing = Digest.sha256(of: Array("never pushed".utf8))
        let mounted = try await client.mountBlob(repository: "copy", digest: missing, from: "origin")
        XCTAssertFalse(mounted)
        XCTAssertEqual(registry.accessLog().filter { $0.method == "POST" }.map(\.status), [202])
        XCTAssertEqual(try registry.requestCount(method: "DELETE", path: "^/v2/copy/blobs/uploads/"), 1,
                       "the upload session the 202 opened is cancelled")

        let blob = Live.bytes(777, seed: 5)
        try await client.pushBlob(repository: "copy", bytes: blob)
        let uploaded = try await client.blobExists(repository: "copy", digest: Digest.sha256(of: blob))
        XCTAssertEqual(uploaded, 777,
                       "an ordinary upload works after the refused mount")
    }

    func testMissingContentIsNilOrNotFound() async throws {
        let client = Live.client(registry.host)
        let nowhere = Digest.sha256(of: Array("nowhere".utf8))
        let byTag = try await client.headManifest(repository: "absent", reference: "latest")
        let byDigest = try await client.headManifest(repository: "absent", reference: nowhere.description)
        let blob = try await client.blobExists(repository: "absent", digest: nowhere)
        XCTAssertNil(byTag)
        XCTAssertNil(byDigest)
        XCTAssertNil(blob)

        let error = await Live.error { try await client.getManifest(repository: "absent", reference: "latest") }
        let registryError = try XCTUnwrap(error as? RegistryError)
        XCTAssertTrue(registryError.isNotFound)
        XCTAssertEqual(registryError.classification, .fatal)
        XCTAssertTrue(registryError.description.hasPrefix("registry \(registry.host): GET /v2/absent/manifests/latest: 404"),
                      registryError.description)

        let blobError = await Live.error { try await client.getBlob(repository: "absent", digest: nowhere, into: CollectingSink()) }
        XCTAssertTrue((blobError as? RegistryError)?.isNotFound == true, "\(String(describing: blobError))")
    }

    func testManifestWithMissingBlobsIsAFatalErrorWithStatus() async throws {
        let client = Live.client(registry.host)
        let manifest = Live.manifest(config: Array("{}".utf8), layers: [Live.bytes(10, seed: 1)])
        let error = await Live.error { try await client.putManifest(repository: "broken", reference: "v1", manifest: manifest) }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 400)
        XCTAssertEqual(registryError.classification, .fatal)
        XCTAssertEqual(registryError.codes.first, "MANIFEST_BLOB_UNKNOWN")
        XCTAssertTrue(registryError.description.hasPrefix(
            "registry \(registry.host): PUT /v2/broken/manifests/v1: 400 MANIFEST_BLOB_UNKNOWN"), registryError.description)
        XCTAssertEqual(try registry.requestCount(method: "PUT", path: "manifests"), 1, "a fatal error is not retried")
    }

    func testIndexIsPushedAfterItsChildrenAndReadBack() async throws {
        let client = Live.client(registry.host)
        let amd64 = try await Live.pushImage(client, repository: "multi", tag: "amd64", seed: 1)
        let arm64 = try await Live.pushImage(client, repository: "multi", tag: "arm64", seed: 2)
        let index = Live.index(of: [amd64, arm64])
        try await client.putManifest(repository: "multi", reference: "latest", manifest: index)

        let head = try await client.headManifest(repository: "multi", reference: "latest")
        XCTAssertEqual(head?.mediaType, .ociIndex, "the Accept header lets distribution serve the index")
        XCTAssertEqual(head?.digest, index.digest)
        let parsed = try ParsedManifest(try await client.getManifest(repository: "multi", reference: "latest"))
        XCTAssertEqual(parsed.kind, .index)
        XCTAssertEqual(parsed.manifests.map(\.digest), [amd64.digest, arm64.digest])
    }

    func testReadsWhatAnotherClientPushed() async throws {
        let seeded = try ImageSeeder(registry).push(.nestedIndex(layers: [1000]), repository: "seeded", tag: "nested")
        let client = Live.client(registry.host, access: .pull)
        let top = try ParsedManifest(try await client.getManifest(repository: "seeded", reference: "nested"))
        XCTAssertEqual(top.digest.description, seeded.digest)
        XCTAssertEqual(top.kind, .index)
        XCTAssertTrue(top.manifests.contains { $0.mediaType.isIndex }, "an index inside the index")
        for child in top.manifests {
            let raw = try await client.getManifest(repository: "seeded", reference: child.digest.description)
            XCTAssertEqual(raw.digest, child.digest)
            XCTAssertEqual(raw.mediaType, child.mediaType)
        }
    }
}
