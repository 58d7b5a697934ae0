import AWS
@testable import Buckets
import Foundation
import HTTP
import Logging
import OCI
import TestSupport
import XCTest

/// The S3 client against a real S3 API (moto): objects, listing, copies, multipart uploads, errors.
final class S3ClientTests: XCTestCase {
    private static let shared = SharedFixture { () -> MotoServer in
        let moto = try MotoServer.start()
        try moto.createBucket("objects")
        return moto
    }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    private func client(bucket: String = "objects", options: S3Client.Options = .init(),
                        retryPolicy: RetryPolicy = RetryPolicy(maxAttempts: 1)) throws -> S3Client {
        let moto = try Self.shared.get()
        return S3Client(address: BucketAddress(provider: .s3, location: moto.region, bucket: bucket),
                        endpoint: moto.endpoint.absoluteString,
                        credentials: AWSCredentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey),
                        http: HTTPClient(), retryPolicy: retryPolicy, options: options)
    }

    func testPutThenHeadReturnsTypeSizeAndMetadata() async throws {
        let client = try client()
        try await client.putObject("put/manifest", bytes: Array("{}".utf8), contentType: "application/vnd.oci.image.manifest.v1+json",
                                   metadata: ["docker-content-digest": "sha256:abc"])
        let head = try await client.headObject("put/manifest")
        XCTAssertEqual(head?.size, 2)
        XCTAssertEqual(head?.contentType, "application/vnd.oci.image.manifest.v1+json")
        XCTAssertEqual(head?.metadata["docker-content-digest"], "sha256:abc")
        let absent = try await client.headObject("put/absent")
        XCTAssertNil(absent)
        let bytes = try await client.getObject("put/manifest")
        XCTAssertEqual(bytes, Array("{}".utf8))
    }

    func testKeysWithColonsRoundTrip() async throws {
        let client = try client()
        let key = "v2/app/blobs/sha256:" + String(repeating: "0", count: 64)
        try await client.putObject(key, bytes: [1, 2, 3], contentType: BucketLayout.blobContentType)
        let head = try await client.headObject(key)
        XCTAssertEqual(head?.size, 3)
    }

    func testListFollowsContinuationTokens() async throws {
        let client = try client()
        for index in 0..<5 {
            try await client.putObject("list/item-\(index)", bytes: [UInt8(index)], contentType: "application/octet-stream")
        }
        let keys = try await client.listKeys(prefix: "list/")
        XCTAssertEqual(keys.sorted(), (0..<5).map { "list/item-\($0)" })
        let none = try await client.listKeys(prefix: "nothing-here/")
        XCTAssertEqual(none, [])
    }

    func testListedObjectsCarryTheirLastModification() async throws {
        let client = try client()
        try await client.putObject("dated/one", bytes: [1], contentType: "application/octet-stream")
        let objects = try await client.listObjects(prefix: "dated/")
        XCTAssertEqual(objects.map(\.key), ["dated/one"])
        let modified = try XCTUnwrap(objects.first?.lastModified, "LastModified parses")
        XCTAssertLessThan(abs(modified.timeIntervalSinceNow), 300)
        XCTAssertEqual(ObjectSummary.date("2026-11-29T06:35:41Z"), ObjectSummary.date("2026-11-29T06:35:41.000Z"))
    }

    func testCopyKeepsContentTypeAndMetadata() async throws {
        let client = try client()
        try await client.putObject("copy/from", bytes: Array("layer".utf8), contentType: "application/octet-stream",
                                   metadata: ["docker-content-digest": "sha256:def"])
        let copied = try await client.copyObject(from: "copy/from", to: "copy/to")
        XCTAssertTrue(copied)
        let head = try await client.headObject("copy/to")
        XCTAssertEqual(head?.metadata["docker-content-digest"], "sha256:def")
        let missing = try await client.copyObject(from: "copy/absent", to: "copy/never")
        XCTAssertFalse(missing)
        let never = try await client.headObject("copy/never")
        XCTAssertNil(never)
    }

    func testStreamedPutSignedWithTheContentHash() async throws {
        let client = try client()
        let bytes = (0..<300_000).map { UInt8($0 % 251) }
        let digest = Digest.sha256(of: bytes)
        try await client.putObject("stream/blob", size: Int64(bytes.count), sha256Hex: digest.hex,
                                   contentType: BucketLayout.blobContentType, sources: { BytesSource(bytes) })
        let stored = try await client.getObject("stream/blob")
        XCTAssertEqual(stored.map { Digest.sha256(of: $0) }, digest)
    }

    func testLargeObjectGoesInPartsAndAssemblesExactly() async throws {
        var options = S3Client.Options()
        options.multipartThreshold = 5 << 20
        options.partSize = 5 << 20
        let client = try client(options: options)
        let bytes = (0..<(11 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
        try await client.putObject("multipart/blob", size: Int64(bytes.count), sha256Hex: nil,
                                   contentType: BucketLayout.blobContentType, sources: { BytesSource(bytes) })
        let stored = try await client.getObject("multipart/blob", maxBytes: 32 << 20)
        XCTAssertEqual(stored.map { Digest.sha256(of: $0) }, Digest.sha256(of: bytes))
        let pending = try await client.listMultipartUploads(prefix: "multipart/")
        XCTAssertEqual(pending, [])
    }

    func testFailedPartAbortsTheUploadAndStoresNothing() async throws {
        var options = S3Client.Options()
        options.multipartThreshold = 5 << 20
        options.partSize = 5 << 20
        let client = try client(options: options)
        // The source ends after the first part: the second part cannot be sent.
        let short = [UInt8](repeating: 7, count: 6 << 20)
        do {
            try await client.putObject("abort/blob", size: 12 << 20, sha256Hex: nil,
                                       contentType: BucketLayout.blobContentType, sources: { BytesSource(short) })
            XCTFail("a short source must fail the upload")
        } catch {}
        let head = try await client.headObject("abort/blob")
        XCTAssertNil(head, "nothing is stored under the key")
        let pending = try await client.listMultipartUploads(prefix: "abort/")
        XCTAssertEqual(pending, [], "the upload was aborted")
    }

    func testShortStreamNeverCreatesTheObject() async throws {
        let client = try client()
        do {
            try await client.putObject("short/blob", size: 1000, sha256Hex: nil, contentType: BucketLayout.blobContentType,
                                       sources: { BytesSource([UInt8](repeating: 1, count: 10)) })
            XCTFail("a short source must fail the upload")
        } catch {}
        let head = try await client.headObject("short/blob")
        XCTAssertNil(head)
    }

    func testMissingBucketErrorNamesBucketRequestAndStatus() async throws {
        let client = try client(bucket: "no-such-bucket")
        do {
            try await client.putObject("v2/app/manifests/1.0", bytes: [1], contentType: "application/json")
            XCTFail("expected NoSuchBucket")
        } catch let error as S3Error {
            XCTAssertEqual(error.status, 404)
            XCTAssertEqual(error.code, "NoSuchBucket")
            XCTAssertEqual(error.classification, .fatal)
            let text = "\(error)"
            XCTAssertTrue(text.contains("s3:us-east-1:no-such-bucket") && text.contains("PUT v2/app/manifests/1.0") && text.contains("404"), text)
        }
    }

    func testServerErrorsAreClassifiedRetryable() {
        let head = HTTPResponseHead(status: 503, headers: [:], url: "http://x")
        let body = Array("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".utf8)
        let error = S3Error(bucket: "s3:r:b", method: "PUT", key: "k", response: HTTPResponse(head: head, body: body), secret: "s")
        XCTAssertEqual(error.code, "SlowDown")
        XCTAssertEqual(error.classification, .rateLimited(retryAfter: nil))
        let internalError = S3Error(bucket: "s3:r:b", method: "GET", key: "k",
                                    response: HTTPResponse(head: HTTPResponseHead(status: 500, headers: [:], url: "http://x"), body: []),
                                    secret: "s")
        XCTAssertEqual(internalError.classification, .retryable)
    }

    func testSecretNeverAppearsInAnError() {
        let body = Array("<Error><Code>SignatureDoesNotMatch</Code><Message>key wJalrXUtnFEMI was wrong</Message></Error>".utf8)
        let error = S3Error(bucket: "s3:r:b", method: "PUT", key: "k",
                            response: HTTPResponse(head: HTTPResponseHead(status: 403, headers: [:], url: "http://x"), body: body),
                            secret: "wJalrXUtnFEMI")
        XCTAssertFalse("\(error)".contains("wJalrXUtnFEMI"), "\(error)")
        XCTAssertTrue("\(error)".contains("check the access key id and secret"), "\(error)")
    }

    func testWrongRegionSaysSo() {
        let body = Array("<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>".utf8)
        let error = S3Error(bucket: "s3:us-east-1:b", method: "GET", key: "v2",
                            response: HTTPResponse(head: HTTPResponseHead(status: 301, headers: [:], url: "http://x"), body: body),
                            secret: "s")
        XCTAssertEqual(error.classification, .fatal)
        XCTAssertTrue("\(error)".contains("the bucket is in another region"), "\(error)")
    }
}
