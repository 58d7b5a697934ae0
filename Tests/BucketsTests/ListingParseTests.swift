@testable import Buckets
import Foundation
import XCTest

/// ListObjectsV2 answers as a store may send them; the purge's age margin depends on each date
/// staying with its key.
final class ListingParseTests: XCTestCase {
    private func values(_ xml: String) -> [(name: String, text: String)] {
        S3XML.values(of: ["Key", "LastModified", "NextContinuationToken", "IsTruncated"], boundaries: ["Contents"],
                     in: Array(xml.utf8))
    }

    func testEachDateStaysWithItsKeyWhateverTheOrder() throws {
        let listing = values("""
            <ListBucketResult><IsTruncated>false</IsTruncated>
            <Contents><LastModified>2026-01-01T00:00:00.000Z</LastModified><Key>a</Key></Contents>
            <Contents><Key>b</Key><LastModified>2026-02-01T00:00:00Z</LastModified></Contents>
            <Contents><Key>c</Key></Contents>
            </ListBucketResult>
            """)
        let objects = ObjectSummary.parse(listing)
        XCTAssertEqual(objects.map(\.key), ["a", "b", "c"])
        XCTAssertEqual(objects[0].lastModified, ObjectSummary.date("2026-01-01T00:00:00Z"))
        XCTAssertEqual(objects[1].lastModified, ObjectSummary.date("2026-02-01T00:00:00Z"))
        XCTAssertNil(objects[2].lastModified, "no date: treated as new, never purged")
        XCTAssertNil(try S3Client.continuation(listing, bucket: "s3:r:b", prefix: "v2/"))
    }

    func testATruncatedListingWithoutAContinuationTokenIsAnError() throws {
        let listing = values("<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents></ListBucketResult>")
        XCTAssertThrowsError(try S3Client.continuation(listing, bucket: "s3:r:b", prefix: "v2/app/")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
            XCTAssertTrue("\(error)".contains("v2/app/"), "\(error)")
        }
        let next = values("<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t+1/=</NextContinuationToken></ListBucketResult>")
        XCTAssertEqual(try S3Client.continuation(next, bucket: "s3:r:b", prefix: "v2/"), "t+1/=")
    }
}
