import XCTest
@testable import OCI

final class MediaTypeTests: XCTestCase {
    func testClassifiesManifestTypes() {
        XCTAssertTrue(MediaType.ociIndex.isIndex)
        XCTAssertTrue(MediaType.dockerManifestList.isIndex)
        XCTAssertTrue(MediaType.ociManifest.isImageManifest)
        XCTAssertTrue(MediaType.dockerManifest.isImageManifest)
        XCTAssertTrue(MediaType.dockerSchema1.isSchema1)
        XCTAssertTrue(MediaType.dockerSchema1Signed.isSchema1)
        XCTAssertTrue(MediaType.dockerSchema1Signed.isManifest)
        XCTAssertFalse(MediaType.ociConfig.isManifest)
        XCTAssertFalse(MediaType.ociLayerGzip.isManifest)
    }

    func testNonDistributableLayers() {
        XCTAssertTrue(MediaType.dockerForeignLayer.isNonDistributable)
        XCTAssertTrue(MediaType.ociLayerNondistributableGzip.isNonDistributable)
        XCTAssertTrue(MediaType.ociLayerNondistributableZstd.isNonDistributable)
        XCTAssertFalse(MediaType.ociLayerGzip.isNonDistributable)
        XCTAssertFalse(MediaType.dockerLayer.isNonDistributable)
    }

    func testContentTypeParametersAreDropped() {
        XCTAssertEqual(MediaType(contentType: "application/vnd.oci.image.index.v1+json; charset=utf-8"), .ociIndex)
        XCTAssertEqual(MediaType(contentType: " Application/VND.Docker.Distribution.Manifest.V2+JSON "), .dockerManifest)
    }

    func testAcceptListsIndexTypesFirst() {
        let accept = MediaType.manifestAcceptHeader.components(separatedBy: ", ")
        XCTAssertEqual(Array(accept.prefix(2)), [MediaType.ociIndex.rawValue, MediaType.dockerManifestList.rawValue])
        XCTAssertTrue(accept.contains(MediaType.ociManifest.rawValue))
        XCTAssertTrue(accept.contains(MediaType.dockerManifest.rawValue))
    }
}
