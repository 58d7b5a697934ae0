import HTTP
import TestSupport
import XCTest

/// HTTPS against nginx with a self-signed certificate made by openssl for this test.
final class TLSTests: XCTestCase {
    var nginx: NginxServer!
    var certificate: String { "\(nginx.directory)/cert.pem" }
    var url: String { nginx.url(scheme: "https") + "/tls" }

    override func setUpWithError() throws {
        nginx = try NginxServer(prepare: { dir in
            try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                            "-nodes", "-days", "2", "-subj", "/CN=docker-sync test",
                                            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                            "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem"])
        }) { dir, ports in
            """
            server {
                listen 127.0.0.1:\(ports[0]) ssl http2;
                ssl_certificate \(dir)/cert.pem;
                ssl_certificate_key \(dir)/key.pem;
                location = /tls { return 200 "secure"; }
            }
            """
        }
    }

    override func tearDown() { nginx?.stop() }

    func testASelfSignedCertificateFailsVerificationByDefault() async throws {
        do {
            _ = try await HTTPClient().send(HTTPRequest(url: url))
            XCTFail("an unknown CA must not verify")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .tlsVerification, "\(error)")
            XCTAssertFalse(error.isRetryable)
        }
    }

    func testAPerHostCABundleVerifiesTheServerAndHTTP2IsNegotiated() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.hosts["127.0.0.1:\(nginx.ports[0])"] = HostOptions(caBundlePath: certificate)
        let client = HTTPClient(configuration: configuration)
        for _ in 0..<3 {
            let response = try await client.send(HTTPRequest(url: url))
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "secure")
            XCTAssertEqual(response.head.httpVersion, "HTTP/2")
        }
        XCTAssertEqual(client.statistics.connectionsOpened, 1)
    }

    func testAHostCanOptOutOfVerification() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.hosts["127.0.0.1"] = HostOptions(verifyTLS: false)
        let response = try await HTTPClient(configuration: configuration).send(HTTPRequest(url: url))
        XCTAssertEqual(response.status, 200)
    }

    func testTheCABundleOfOneHostDoesNotApplyToAnother() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.hosts["localhost:\(nginx.ports[0])"] = HostOptions(caBundlePath: certificate)
        do {
            _ = try await HTTPClient(configuration: configuration).send(HTTPRequest(url: url))
            XCTFail("127.0.0.1 has no CA bundle of its own")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .tlsVerification, "\(error)")
        }
    }
}
