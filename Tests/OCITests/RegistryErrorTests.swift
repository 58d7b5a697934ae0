import Foundation
import HTTP
import XCTest
@testable import OCI

final class RegistryErrorTests: XCTestCase {
    func error(_ status: Int, _ headers: HTTPHeaders = [:], body: String = "", now: Date = Date()) -> RegistryError {
        RegistryError(registry: "127.0.0.1:5001", method: "PUT", path: "/v2/foo/manifests/v1?x=secret",
                      head: HTTPResponseHead(status: status, headers: headers, url: "http://127.0.0.1:5001/v2/foo/manifests/v1"),
                      body: Array(body.utf8), now: now)
    }

    func testMessageNamesRegistryRequestStatusAndCodes() {
        let e = error(400, body: #"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{"x":1}}]}"#)
        XCTAssertEqual(e.description, "registry 127.0.0.1:5001: PUT /v2/foo/manifests/v1: 400 MANIFEST_INVALID: manifest invalid")
        XCTAssertEqual(e.codes, ["MANIFEST_INVALID"])
        XCTAssertEqual(e.classification, .fatal)
    }

    func testNonJSONBodyIsQuotedShortly() {
        let e = error(502, body: "<html>Bad Gateway</html>\nmore")
        XCTAssertEqual(e.description, "registry 127.0.0.1:5001: PUT /v2/foo/manifests/v1: 502 <html>Bad Gateway</html>")
        XCTAssertEqual(e.classification, .retryable)
    }

    func testClassification() {
        for status in [500, 502, 503, 504, 408] { XCTAssertEqual(error(status).classification, .retryable, "\(status)") }
        for status in [400, 401, 403, 404, 405, 409, 413] { XCTAssertEqual(error(status).classification, .fatal, "\(status)") }
        XCTAssertTrue(error(404, body: #"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#).isNotFound)
        XCTAssertTrue(error(401).description.contains("check the credentials configured for 127.0.0.1:5001"))
    }

    func testRateLimitWaits() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(error(429, ["Retry-After": "30"]).classification, .rateLimited(retryAfter: 30))
        XCTAssertEqual(error(429).classification, .rateLimited(retryAfter: nil))
        let date = "Tue, 14 Nov 2023 22:13:27 GMT"  // now + 7 s
        XCTAssertEqual(error(429, ["Retry-After": date], now: now).classification, .rateLimited(retryAfter: 7))
        XCTAssertEqual(error(429, ["RateLimit-Reset": "12"]).classification, .rateLimited(retryAfter: 12))
        XCTAssertEqual(error(403, ["RateLimit-Remaining": "0;w=21600", "RateLimit-Reset": "60"]).classification,
                       .rateLimited(retryAfter: 60))
        XCTAssertEqual(error(403, ["RateLimit-Remaining": "5;w=21600"]).classification, .fatal)
        XCTAssertEqual(error(400, body: #"{"errors":[{"code":"TOOMANYREQUESTS"}]}"#).classification, .rateLimited(retryAfter: nil))
        XCTAssertTrue(error(429, ["Retry-After": "30"]).description.contains("rate limited, retry after 30 s"))
    }

    func testTransportErrorsFollowHTTPError() {
        let reset = HTTPError(kind: .connectionLost, method: "GET", url: "http://h/v2/", message: "Recv failure")
        let tls = HTTPError(kind: .tlsVerification, method: "GET", url: "https://h/v2/", message: "bad cert")
        let e1 = RegistryError(registry: "h", method: "GET", path: "/v2/", transport: reset)
        XCTAssertEqual(e1.classification, .retryable)
        XCTAssertEqual(e1.description, "registry h: GET /v2/: Recv failure")
        XCTAssertEqual(RegistryError(registry: "h", method: "GET", path: "/v2/", transport: tls).classification, .fatal)
    }
}
