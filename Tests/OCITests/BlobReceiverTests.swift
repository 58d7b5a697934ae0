import HTTP
import XCTest
@testable import OCI

/// The sink between a blob GET and the caller: verification happens before the last byte moves on.
final class BlobReceiverTests: XCTestCase {
    let ok = HTTPResponseHead(status: 200, headers: ["Content-Length": "10"], url: "http://r/v2/a/blobs/x")

    func feed(_ receiver: BlobReceiver, _ bytes: [UInt8], chunk: Int) throws {
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            try Array(bytes[start..<min(start + chunk, bytes.count)]).withUnsafeBytes { try receiver.write($0) }
        }
    }

    func testGoodContentPassesThrough() throws {
        let bytes = Array("0123456789".utf8)
        let downstream = CollectingSink()
        let receiver = BlobReceiver(digest: Digest.sha256(of: bytes), size: 10, downstream: downstream)
        try receiver.receive(head: ok)
        try feed(receiver, bytes, chunk: 3)
        XCTAssertEqual(try receiver.finish(registry: "r", path: "/p"), 10)
        XCTAssertEqual(downstream.bytes, bytes)
    }

    func testCorruptContentIsStoppedBeforeItsLastByte() throws {
        let expected = Digest.sha256(of: Array("0123456789".utf8))
        let downstream = CollectingSink()
        let receiver = BlobReceiver(digest: expected, size: 10, downstream: downstream)
        try receiver.receive(head: ok)
        XCTAssertThrowsError(try feed(receiver, Array("0123456780".utf8), chunk: 3)) { error in
            guard case .mismatch = error as? DigestError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(downstream.bytes.count, 9, "the chunk that completes the blob is held back")
    }

    func testSizeFromContentLengthWhenTheCallerGivesNone() throws {
        let expected = Digest.sha256(of: Array("0123456789".utf8))
        let downstream = CollectingSink()
        let receiver = BlobReceiver(digest: expected, size: nil, downstream: downstream)
        try receiver.receive(head: ok)
        XCTAssertThrowsError(try feed(receiver, Array("0123456789AB".utf8), chunk: 4)) { error in
            guard case .sizeMismatch = error as? DigestError else { return XCTFail("\(error)") }
        }
    }

    func testErrorBodiesStayOutOfTheSink() throws {
        let downstream = CollectingSink()
        let receiver = BlobReceiver(digest: Digest.sha256(of: []), size: nil, downstream: downstream)
        try receiver.receive(head: HTTPResponseHead(status: 404, headers: [:], url: "http://r/v2/a/blobs/x"))
        try feed(receiver, Array(#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#.utf8), chunk: 16)
        XCTAssertEqual(downstream.receivedHeads, 0)
        XCTAssertTrue(downstream.bytes.isEmpty)
        XCTAssertThrowsError(try receiver.finish(registry: "r", path: "/v2/a/blobs/x")) { error in
            XCTAssertEqual((error as? RegistryError)?.codes, ["BLOB_UNKNOWN"])
            XCTAssertEqual((error as? RegistryError)?.isNotFound, true)
        }
    }
}
