@testable import Buckets
import XCTest

final class BucketAddressTests: XCTestCase {
    func testR2TargetNamesAccountBucketAndImage() throws {
        let image = try BucketImage(parsing: "r2:f6934f56ce237241104dbe9302cee786:docker-sync-test:library/ubuntu")
        XCTAssertEqual(image.address.provider, .r2)
        XCTAssertEqual(image.address.bucket, "docker-sync-test")
        XCTAssertEqual(image.image, "library/ubuntu")
        XCTAssertEqual(image.address.region, "auto")
        XCTAssertEqual(image.address.defaultEndpoint, "https://f6934f56ce237241104dbe9302cee786.r2.cloudflarestorage.com")
        XCTAssertEqual(image.address.description, "r2:f6934f56ce237241104dbe9302cee786:docker-sync-test")
    }

    func testS3TargetSignsWithItsRegion() throws {
        let image = try BucketImage(parsing: "s3:eu-west-1:my-bucket:ubuntu")
        XCTAssertEqual(image.address.region, "eu-west-1")
        XCTAssertEqual(image.address.defaultEndpoint, "https://s3.eu-west-1.amazonaws.com")
        XCTAssertEqual(image.description, "s3:eu-west-1:my-bucket:ubuntu")
    }

    func testMalformedTargetsSayWhatShapeIsExpected() {
        XCTAssertThrowsError(try BucketImage(parsing: "s3:us-east-1:bucket")) { error in
            XCTAssertTrue("\(error)".contains("s3:<region>:<bucket>:<image>"), "\(error)")
        }
        XCTAssertThrowsError(try BucketImage(parsing: "r2:acct:bucket:Ubuntu")) { error in
            XCTAssertTrue("\(error)".contains("image \"Ubuntu\""), "\(error)")
        }
        XCTAssertThrowsError(try BucketImage(parsing: "s3:us-east-1:B:ubuntu"))
    }

    func testTagsAreTheManifestKeysThatAreNotDigests() {
        let keys = ["v2/app/manifests/1.0", "v2/app/manifests/sha256:" + String(repeating: "a", count: 64),
                    "v2/app/manifests/latest", "v2/app/blobs/x"]
        XCTAssertEqual(BucketLayout.tags(inManifestKeys: keys, image: "app"), ["1.0", "latest"])
    }

    func testDigestKeysAreThoseDirectlyUnderTheImageNotOfANestedImage() {
        let digest = "sha256:" + String(repeating: "b", count: 64)
        let prefix = BucketLayout.blobs("app")
        XCTAssertEqual(BucketLayout.digest(inKey: "v2/app/blobs/\(digest)", under: prefix)?.description, digest)
        XCTAssertNil(BucketLayout.digest(inKey: "v2/app/blobs/blobs/\(digest)", under: prefix), "image app/blobs")
        XCTAssertNil(BucketLayout.digest(inKey: "v2/app/manifests/1.0", under: BucketLayout.manifests("app")), "a tag")
        XCTAssertNil(BucketLayout.digest(inKey: "v2/other/blobs/\(digest)", under: prefix))
    }
}
