@testable import TestSupport
import XCTest

/// The fault proxy forwards faithfully, injects the faults it is told to, and counts requests.
final class FaultProxyTests: XCTestCase {
    private var registry: RegistryServer!
    private var pushed: ImageSeeder.Pushed!
    private let ociIndexAccept = ["Accept": "application/vnd.oci.image.index.v1+json"]

    override func setUpWithError() throws {
        registry = try RegistryServer.start()
        pushed = try ImageSeeder(registry).push(.ociIndex(layers: [300_000]), repository: "lib/app", tag: "v1")
    }

    // XCTest keeps test case instances for the whole run: release the servers now.
    override func tearDown() {
        registry = nil
        pushed = nil
    }

    func testInjectsThreeUnavailableThenPassesAndCountsThem() throws {
        let proxy = try FaultProxy.start(upstream: registry, faults: [
            .status(503, methods: ["GET"], path: "/manifests/", times: 3, headers: ["Retry-After": "1"], name: "unavailable"),
        ])
        var statuses: [Int] = []
        for _ in 0..<5 {
            statuses.append(try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/manifests/v1",
                                                     headers: ociIndexAccept).status)
        }
        XCTAssertEqual(statuses, [503, 503, 503, 200, 200])
        let stats = try proxy.stats()
        XCTAssertEqual(stats.count("GET", .manifest), 5)
        XCTAssertEqual(stats.faultCount("unavailable"), 3)
        XCTAssertEqual(stats.requests.filter { $0.fault == "unavailable" }.map(\.status), [503, 503, 503])
    }

    func testEveryKthMatchAndRuntimeRuleChanges() throws {
        let proxy = try FaultProxy.start(upstream: registry)
        try proxy.setFaults([.status(502, path: "/tags/list", every: 2)])
        let statuses = try (0..<4).map { _ in try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/tags/list").status }
        XCTAssertEqual(statuses, [200, 502, 200, 502])

        try proxy.setFaults([.tooManyRequests(rateLimitReset: 7, path: "/tags/list", times: 1)])
        let limited = try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/tags/list")
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.header("RateLimit-Reset"), "7")
        XCTAssertEqual(limited.header("RateLimit-Remaining"), "0")
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/tags/list").status, 200)
        XCTAssertEqual(try proxy.stats().count("GET", .tags), 6)
    }

    func testSkopeoCopiesThroughTheProxyAndUploadsStayOnIt() throws {
        let proxy = try FaultProxy.start(upstream: registry)
        let upload = try LoopbackHTTP.request("POST", port: proxy.port, path: "/v2/lib/copy/blobs/uploads/", body: Data())
        XCTAssertEqual(upload.status, 202)
        XCTAssertEqual(upload.header("Location")?.hasPrefix("http://\(proxy.host)/v2/lib/copy/blobs/uploads/"), true)

        try Skopeo.copy(from: "\(proxy.host)/lib/app:v1", to: "\(proxy.host)/lib/copy:v1")
        XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/lib/copy:v1"), pushed.digest)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.count("PUT", .manifest), 3) // two images, then the index
        XCTAssertGreaterThan(stats.count("GET", .blob) + stats.count("POST", .uploadMount), 0)
        XCTAssertEqual(stats.requests.filter { $0.method == "PUT" && $0.path.contains("/manifests/") }.last?.path,
                       "/v2/lib/copy/manifests/v1")
    }

    func testResetTruncateAndDelay() throws {
        let layer = pushed.blobs.last!
        let proxy = try FaultProxy.start(upstream: registry, faults: [
            .reset(methods: ["HEAD"], path: "/blobs/", times: 1),
            .truncate(afterBytes: 1000, methods: ["GET"], path: "/blobs/sha256:", times: 1),
            .delay(0.2, path: "/tags/list", times: 1),
        ])
        XCTAssertThrowsError(try LoopbackHTTP.request("HEAD", port: proxy.port, path: "/v2/lib/app/blobs/\(layer)"))
        XCTAssertEqual(try LoopbackHTTP.request("HEAD", port: proxy.port, path: "/v2/lib/app/blobs/\(layer)").status, 200)

        let truncated = try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/blobs/\(layer)")
        XCTAssertEqual(truncated.header("Content-Length"), "300000")
        XCTAssertEqual(truncated.body.count, 1000)
        let whole = try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/blobs/\(layer)")
        XCTAssertEqual(whole.body.count, 300_000)
        XCTAssertEqual(try sha256Digest(whole.body), layer)

        let start = Date()
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/app/tags/list").status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.2)
        XCTAssertEqual(try proxy.stats().faults, ["rule0": 1, "rule1": 1, "rule2": 1])
    }

    func testServesASchema1ManifestTheRegistryWouldRefuse() throws {
        let body = ImageSeeder.schema1Manifest(repository: "lib/old", tag: "legacy")
        let proxy = try FaultProxy.start(upstream: registry, faults: [
            try .serveManifest(repository: "lib/old", reference: "legacy", body: body, mediaType: ImageSeeder.schema1MediaType),
        ])
        let response = try LoopbackHTTP.request("GET", port: proxy.port, path: "/v2/lib/old/manifests/legacy")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), ImageSeeder.schema1MediaType)
        XCTAssertEqual(response.body, body)
        XCTAssertEqual(try Skopeo.inspectRaw("\(proxy.host)/lib/old:legacy"), body)
        let head = try LoopbackHTTP.request("HEAD", port: proxy.port, path: "/v2/lib/old/manifests/legacy")
        XCTAssertEqual(head.header("Docker-Content-Digest"), try sha256Digest(body))
        XCTAssertTrue(head.body.isEmpty)
    }

    func testATagDeleteRewrittenToTheDigestDeletesTheManifestWithItsTags() throws {
        let proxy = try FaultProxy.start(upstream: registry, faults: [
            .deleteManifestForTag(repository: "lib/app", tag: "v1", digest: pushed.digest, name: "harbor"),
        ])
        let direct = try LoopbackHTTP.request("DELETE", port: registry.port, path: "/v2/lib/app/manifests/v1")
        XCTAssertNotEqual(direct.status, 202, "distribution 2.8 itself refuses a tag DELETE")
        let response = try LoopbackHTTP.request("DELETE", port: proxy.port, path: "/v2/lib/app/manifests/v1")
        XCTAssertEqual(response.status, 202)
        XCTAssertEqual(try registry.manifestStatus(repository: "lib/app", reference: pushed.digest), 404)
        XCTAssertEqual(try registry.manifestStatus(repository: "lib/app", reference: "v1"), 404)
        XCTAssertEqual(try proxy.stats().faultCount("harbor"), 1)
    }

    func testChunkedUploadStreamsThroughTheProxy() throws {
        let proxy = try FaultProxy.start(upstream: registry)
        let blob = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let digest = try sha256Digest(blob)
        let start = try LoopbackHTTP.request("POST", port: proxy.port, path: "/v2/lib/up/blobs/uploads/", body: Data())
        let location = try XCTUnwrap(start.header("Location")).replacingOccurrences(of: "http://\(proxy.host)", with: "")
        var chunked = Data()
        for offset in stride(from: 0, to: blob.count, by: 300_000) {
            let piece = blob[offset..<min(offset + 300_000, blob.count)]
            chunked += Data(String(piece.count, radix: 16).utf8) + Data("\r\n".utf8) + piece + Data("\r\n".utf8)
        }
        chunked += Data("0\r\n\r\n".utf8)
        let patch = try LoopbackHTTP.request("PATCH", port: proxy.port, path: location, body: chunked,
                                             headers: ["Transfer-Encoding": "chunked", "Content-Type": "application/octet-stream"],
                                             httpVersion: "1.1")
        XCTAssertEqual(patch.status, 202)
        let next = try XCTUnwrap(patch.header("Location")).replacingOccurrences(of: "http://\(proxy.host)", with: "")
        XCTAssertEqual(try LoopbackHTTP.request("PUT", port: proxy.port, path: next + "&digest=\(digest)", body: Data()).status, 201)
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/lib/up/blobs/\(digest)").body, blob)
        let stats = try proxy.stats()
        XCTAssertEqual(stats.count("POST", .uploadStart), 1)
        XCTAssertEqual(stats.count("PATCH", .uploadChunk), 1)
        XCTAssertEqual(stats.count("PUT", .uploadComplete), 1)
    }
}
