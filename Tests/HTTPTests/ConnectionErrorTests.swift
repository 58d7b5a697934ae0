import HTTP
import TestSupport
import XCTest

final class ConnectionErrorTests: XCTestCase {
    func testARefusedConnectionIsRetryableAndNamesTheURLButNoSecrets() async throws {
        let port = FreePort.next()
        let request = HTTPRequest(url: "http://127.0.0.1:\(port)/v2/repo/blobs/uploads/abc?_state=SECRETSTATE&digest=sha256:1",
                                  headers: ["Authorization": "Bearer SECRETTOKEN"])
        do {
            _ = try await HTTPClient().send(request)
            XCTFail("nothing listens on \(port)")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .connect)
            XCTAssertTrue(error.isRetryable)
            XCTAssertTrue(error.description.hasPrefix("GET http://127.0.0.1:\(port)/v2/repo/blobs/uploads/abc?_state=REDACTED&digest=REDACTED: "),
                          error.description)
            XCTAssertFalse(error.description.contains("SECRET"), error.description)
            XCTAssertNotNil(error.curlCode)
        }
    }

    func testPlainHTTPToARemoteHostIsRefusedUnlessThatHostAllowsIt() async throws {
        do {
            _ = try await HTTPClient().send(HTTPRequest(url: "http://registry.example.com/v2/"))
            XCTFail("plain http to a remote host must be refused")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .insecureURL)
            XCTAssertFalse(error.isRetryable)
            XCTAssertTrue(error.description.contains("plainHTTP"), error.description)
        }
    }

    func testResolveEntriesAndThePlainHTTPOptionReachANamedLocalRegistry() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.resolve = ["registry.example.com:\(registry.port):127.0.0.1"]
        configuration.hosts["registry.example.com:\(registry.port)"] = HostOptions(plainHTTP: true)
        let response = try await HTTPClient(configuration: configuration)
            .send(HTTPRequest(url: "http://registry.example.com:\(registry.port)/v2/"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["Docker-Distribution-Api-Version"], "registry/2.0")
    }

    func testMalformedAndNonHTTPURLsAreRejected() async throws {
        for url in ["not a url", "ftp://127.0.0.1/x", "http://", "https://:443/x"] {
            do {
                _ = try await HTTPClient().send(HTTPRequest(url: url))
                XCTFail("\(url) must be rejected")
            } catch let error as HTTPError {
                XCTAssertEqual(error.kind, .badURL, "\(url): \(error)")
                XCTAssertFalse(error.isRetryable)
            }
        }
    }

    func testQueryValuesAndUserinfoAreRedacted() {
        XCTAssertEqual(HTTPError.redact("https://u:p@h.example/a?x=1&y&z=#frag"),
                       "https://REDACTED@h.example/a?x=REDACTED&y&z=REDACTED#REDACTED")
        XCTAssertEqual(HTTPError.redact("http://127.0.0.1:5000/v2/"), "http://127.0.0.1:5000/v2/")
    }
}
