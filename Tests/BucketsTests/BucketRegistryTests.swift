import AWS
@testable import Buckets
import Foundation
import HTTP
import OCI
import TestSupport
import XCTest

/// The registry layout in a bucket: manifests by tag and digest, tag listing, `tags/list`, ping.
final class BucketRegistryTests: XCTestCase {
    private static let shared = SharedFixture { () -> MotoServer in
        let moto = try MotoServer.start()
        try moto.createBucket("layout")
        return moto
    }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    private func registry() throws -> BucketRegistry {
        let moto = try Self.shared.get()
        return BucketRegistry(client: S3Client(
            address: BucketAddress(provider: .r2, location: "acct", bucket: "layout"), endpoint: moto.endpoint.absoluteString,
            credentials: AWSCredentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey), http: HTTPClient()))
    }

    private let manifest = RawManifest(bytes: Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#.utf8),
                                       mediaType: .ociManifest)

    func testManifestDigestComesFromTheStoredMetadata() async throws {
        let registry = try registry()
        try await registry.putManifest(image: "meta/app", reference: "1.0", manifest: manifest)
        let digest = try await registry.manifestDigest(image: "meta/app", reference: "1.0")
        XCTAssertEqual(digest, manifest.digest)
        let head = try await registry.client.headObject(BucketLayout.manifest("meta/app", "1.0"))
        XCTAssertEqual(head?.contentType, MediaType.ociManifest.rawValue)
        let absent = try await registry.manifestDigest(image: "meta/app", reference: "2.0")
        XCTAssertNil(absent)
    }

    func testManifestWithoutMetadataIsHashed() async throws {
        let registry = try registry()
        try await registry.client.putObject(BucketLayout.manifest("foreign/app", "1.0"), bytes: manifest.bytes,
                                            contentType: MediaType.ociManifest.rawValue)
        let digest = try await registry.manifestDigest(image: "foreign/app", reference: "1.0")
        XCTAssertEqual(digest, manifest.digest)
    }

    func testTagListNamesEveryTagButNoDigest() async throws {
        let registry = try registry()
        for reference in ["b", "a", manifest.digest.description] {
            try await registry.putManifest(image: "tags/app", reference: reference, manifest: manifest)
        }
        let tags = try await registry.listTags(image: "tags/app")
        XCTAssertEqual(tags.sorted(), ["a", "b"])
        try await registry.writeTagList(image: "tags/app")
        let list = try await registry.client.getObject(BucketLayout.tagList("tags/app"))
        XCTAssertEqual(list.map { String(decoding: $0, as: UTF8.self) }, #"{"name":"tags/app","tags":["a","b"]}"#)
    }

    func testBlobCopyIsTheBucketsMount() async throws {
        let registry = try registry()
        let bytes = Array("a layer".utf8)
        let digest = Digest.sha256(of: bytes)
        try await registry.putBlob(image: "mount/one", digest: digest, size: Int64(bytes.count), sources: { BytesSource(bytes) })
        let copied = try await registry.copyBlob(digest, size: Int64(bytes.count), from: "mount/one", to: "mount/two")
        XCTAssertTrue(copied)
        let present = try await registry.blobExists(image: "mount/two", digest: digest)
        XCTAssertTrue(present)
        let notThere = try await registry.copyBlob(digest, size: Int64(bytes.count), from: "mount/none", to: "mount/three")
        XCTAssertFalse(notThere)
    }

    func testOrphansAreWhatNoRemainingTagReferencesAndOnlyOnceOldEnough() async throws {
        let registry = try registry()
        let client = registry.client
        let (config, kept, orphan) = ([UInt8]("{}".utf8), [UInt8](repeating: 1, count: 10), [UInt8](repeating: 2, count: 10))
        for blob in [config, kept, orphan] {
            try await client.putObject(BucketLayout.blob("gc/app", Digest.sha256(of: blob).description), bytes: blob,
                                       contentType: BucketLayout.blobContentType)
        }
        func image(_ layer: [UInt8]) -> RawManifest {
            let json = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(Digest.sha256(of: config))","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(Digest.sha256(of: layer))","size":10}]}"#
            return RawManifest(bytes: Array(json.utf8), mediaType: .ociManifest)
        }
        let (keptManifest, orphanManifest) = (image(kept), image(orphan))
        for (manifest, tag) in [(keptManifest, "1.0"), (orphanManifest, "0.9")] {
            try await registry.putManifest(image: "gc/app", reference: manifest.digest.description, manifest: manifest)
            try await registry.putManifest(image: "gc/app", reference: tag, manifest: manifest)
        }
        // Another image nested under this one's path is not this image's.
        try await client.putObject("v2/gc/app/blobs/blobs/\(Digest.sha256(of: orphan))", bytes: orphan, contentType: "x/y")
        let deletedTag = try await registry.deleteTag(image: "gc/app", tag: "0.9")
        XCTAssertTrue(deletedTag)

        let tooRecent = try await registry.collectOrphans(image: "gc/app", modifiedBefore: Date(timeIntervalSinceNow: -3600))
        XCTAssertEqual(tooRecent, OrphanCollection(leftAsRecent: 2))
        let collected = try await registry.collectOrphans(image: "gc/app", modifiedBefore: Date(timeIntervalSinceNow: 60))
        XCTAssertEqual(collected, OrphanCollection(manifestsDeleted: 1, blobsDeleted: 1))
        let keys = try await client.listKeys(prefix: "v2/gc/app/")
        XCTAssertEqual(Set(keys), Set(["v2/gc/app/manifests/1.0", BucketLayout.manifest("gc/app", keptManifest.digest.description),
                                       BucketLayout.blob("gc/app", Digest.sha256(of: config).description),
                                       BucketLayout.blob("gc/app", Digest.sha256(of: kept).description),
                                       "v2/gc/app/blobs/blobs/\(Digest.sha256(of: orphan))"]))
    }

    /// A signature tagged before the image it signs (`a-sig` sorts before `v1`) names the image as
    /// its subject; the image's own config and layer are still referenced by its tag.
    func testOrphanCollectionKeepsTheBlobsOfAManifestFirstSeenAsASubject() async throws {
        let registry = try registry()
        let client = registry.client
        let (config, layer, signature) = ([UInt8]("{}".utf8), [UInt8](repeating: 3, count: 10), [UInt8](repeating: 4, count: 10))
        for blob in [config, layer, signature] {
            try await client.putObject(BucketLayout.blob("gc/signed", Digest.sha256(of: blob).description), bytes: blob,
                                       contentType: BucketLayout.blobContentType)
        }
        let configDescriptor = #"{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(Digest.sha256(of: config))","size":2}"#
        let image = RawManifest(bytes: Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(configDescriptor),"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(Digest.sha256(of: layer))","size":10}]}"#.utf8),
                                mediaType: .ociManifest)
        let signatureManifest = RawManifest(bytes: Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(configDescriptor),"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"\#(Digest.sha256(of: signature))","size":10}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(image.digest)","size":\#(image.size)}}"#.utf8),
                                            mediaType: .ociManifest)
        for (manifest, tag) in [(image, "v1"), (signatureManifest, "a-sig")] {
            try await registry.putManifest(image: "gc/signed", reference: manifest.digest.description, manifest: manifest)
            try await registry.putManifest(image: "gc/signed", reference: tag, manifest: manifest)
        }
        let before = Set(try await client.listKeys(prefix: "v2/gc/signed/"))

        let collected = try await registry.collectOrphans(image: "gc/signed", modifiedBefore: Date(timeIntervalSinceNow: 60))
        XCTAssertEqual(collected, OrphanCollection())
        let after = Set(try await client.listKeys(prefix: "v2/gc/signed/"))
        XCTAssertEqual(after, before, "every object is referenced by a tag")
    }

    func testPingIsWrittenOnceAndOnlyWhenMissing() async throws {
        let registry = try registry()
        try await registry.ensurePing()
        let ping = try await registry.client.getObject(BucketLayout.ping)
        XCTAssertEqual(ping, BucketLayout.pingBody)
        try await registry.ensurePing()
    }
}
