import Foundation
import HTTP
import TestSupport
import XCTest

/// Blobs stream through a real docker-registry in bounded memory, both ways and through a pipe.
final class RegistryBlobStreamingTests: XCTestCase {
    var registry: RegistryServer!
    var client: HTTPClient!

    override func setUpWithError() throws {
        registry = try RegistryServer.start()
        client = HTTPClient()
    }

    override func tearDown() {
        registry?.stop()
    }

    var base: String { "http://\(registry.host)" }

    func testA256MiBBlobUploadsAndDownloadsInBoundedMemory() async throws {
        let size: Int64 = 256 << 20
        let expected = try PatternSource.digest(count: size)
        let limit = 64 << 20
        let resetWorked = ResidentMemory.resetPeak()
        let before = resetWorked ? ResidentMemory.current : ResidentMemory.peak

        let uploadHash = try SHA256Sum()
        let put = try await upload(PatternSource(count: size, tee: uploadHash), length: size, digest: expected, repository: "big/blob")
        XCTAssertEqual(put.status, 201, "PUT answered \(put.status): \(String(decoding: put.body, as: UTF8.self))")
        XCTAssertEqual(try uploadHash.finish(), expected, "the generator is deterministic")

        let sink = try HashingSink()
        let head = try await client.send(HTTPRequest(url: "\(base)/v2/big/blob/blobs/\(expected)"), into: sink)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(sink.received, size)
        XCTAssertEqual(try sink.digest(), expected)

        let growth = ResidentMemory.peak - before
        print("256 MiB upload + download: peak RSS grew by \(growth >> 10) KiB (reset of VmHWM: \(resetWorked))")
        XCTAssertLessThan(growth, limit, "peak RSS grew by \(growth >> 20) MiB while streaming 256 MiB each way")
        let stats = client.statistics
        XCTAssertGreaterThanOrEqual(stats.bytesSent, size)
        XCTAssertGreaterThanOrEqual(stats.bytesReceived, size)
    }

    func testAChunkedUploadOfUnknownLengthIsStored() async throws {
        let size: Int64 = 16 << 20 + 12345
        let expected = try PatternSource.digest(count: size)
        let put = try await upload(PatternSource(count: size), length: nil, digest: expected, repository: "chunked/blob")
        XCTAssertEqual(put.status, 201, String(decoding: put.body, as: UTF8.self))

        let sink = try HashingSink()
        _ = try await client.send(HTTPRequest(url: "\(base)/v2/chunked/blob/blobs/\(expected)"), into: sink)
        XCTAssertEqual(sink.received, size)
        XCTAssertEqual(try sink.digest(), expected)
    }

    func testABlobStreamsFromAGetStraightIntoAPutThroughAPipe() async throws {
        let size: Int64 = 48 << 20
        let digest = try PatternSource.digest(count: size)
        let stored = try await upload(PatternSource(count: size), length: size, digest: digest, repository: "source/repo")
        XCTAssertEqual(stored.status, 201)

        let pipe = HTTPBodyPipe(capacity: 1 << 20) { head in
            guard head.status == 200 else { throw ServiceError("source answered \(head.status)") }
        }
        let location = try await startUpload(repository: "target/repo")
        let client = self.client!
        async let put = client.send(HTTPRequest(method: "PUT", url: location + "&digest=\(digest)",
                                                body: .stream(pipe, length: size)))
        let getHead = try await client.send(HTTPRequest(url: "\(base)/v2/source/repo/blobs/\(digest)"), into: pipe)
        let putResponse = try await put
        XCTAssertEqual(getHead.status, 200)
        XCTAssertEqual(putResponse.status, 201, String(decoding: putResponse.body, as: UTF8.self))

        let check = try await client.send(HTTPRequest(method: "HEAD", url: "\(base)/v2/target/repo/blobs/\(digest)"))
        XCTAssertEqual(check.status, 200)
        XCTAssertEqual(check.headers["Content-Length"], String(size))
        XCTAssertEqual(check.headers["Docker-Content-Digest"], digest)
    }

    func testAFailedPutAbortsTheGetFeedingIt() async throws {
        let size: Int64 = 32 << 20
        let digest = try PatternSource.digest(count: size)
        _ = try await upload(PatternSource(count: size), length: size, digest: digest, repository: "source/repo")

        let pipe = HTTPBodyPipe(capacity: 256 << 10)
        let client = self.client!
        // The PUT goes to a port nobody listens on: it fails at once, and the GET must not hang.
        async let put = client.send(HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(FreePort.next())/upload",
                                                body: .stream(pipe, length: size)))
        do {
            _ = try await client.send(HTTPRequest(url: "\(base)/v2/source/repo/blobs/\(digest)"), into: pipe)
            XCTFail("the GET should fail with the PUT's error")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .connect, "\(error)")
            XCTAssertEqual(error.method, "PUT", "the writer sees the reader's error: \(error)")
        }
        do {
            _ = try await put
            XCTFail("the PUT should fail")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .connect)
        }
    }

    // MARK: Upload protocol (OCI distribution spec, "Pushing a blob monolithically", POST then PUT)

    private func startUpload(repository: String) async throws -> String {
        let post = try await client.send(HTTPRequest(method: "POST", url: "\(base)/v2/\(repository)/blobs/uploads/"))
        XCTAssertEqual(post.status, 202)
        let location = try XCTUnwrap(post.headers["Location"])
        XCTAssertTrue(location.hasPrefix("http://") && location.contains("?_state="), location)
        return location
    }

    private func upload(_ source: PatternSource, length: Int64?, digest: String, repository: String) async throws -> HTTPResponse {
        let location = try await startUpload(repository: repository)
        return try await client.send(HTTPRequest(method: "PUT", url: location + "&digest=\(digest)",
                                                 headers: ["Content-Type": "application/octet-stream"],
                                                 body: .stream(source, length: length)))
    }
}
