import HTTP
import TestSupport
import XCTest

/// Redirects against two real nginx servers A and B, whose access logs record the
/// Authorization header each request arrived with.
final class RedirectTests: XCTestCase {
    var nginx: NginxServer!
    let client = HTTPClient()
    let credentials: HTTPHeaders = ["Authorization": "Bearer secret-token-123"]

    override func setUpWithError() throws {
        nginx = try NginxServer(ports: 2) { dir, ports in
            """
            log_format auth '$request_method $request_uri auth=[$http_authorization] ua=[$http_user_agent]';
            server {
                listen 127.0.0.1:\(ports[0]);
                access_log \(dir)/a.log auth;
                location = /cross { return 302 http://127.0.0.1:\(ports[1])/landing-cross; }
                location = /same { return 302 http://127.0.0.1:\(ports[0])/landing-same; }
                location = /relative { return 307 /landing-relative; }
                location = /see-other { return 303 /landing-see-other; }
                location = /loop { return 302 /loop; }
                location / { return 200 "A $request_uri"; }
            }
            server {
                listen 127.0.0.1:\(ports[1]);
                access_log \(dir)/b.log auth;
                location / { return 200 "B $request_uri"; }
            }
            """
        }
    }

    override func tearDown() { nginx?.stop() }

    func testAuthorizationIsNotForwardedToAnotherOrigin() async throws {
        let response = try await client.send(HTTPRequest(url: nginx.url(0) + "/cross", headers: credentials))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "B /landing-cross")
        XCTAssertEqual(response.head.url, nginx.url(1) + "/landing-cross")

        let atA = try nginx.waitForLine(in: "a.log", containing: "/cross")
        XCTAssertTrue(atA.contains("auth=[Bearer secret-token-123]"), atA)
        let atB = try nginx.waitForLine(in: "b.log", containing: "/landing-cross")
        XCTAssertFalse(atB.contains("secret-token"), atB)
        XCTAssertTrue(atB.contains("auth=[-]") || atB.contains("auth=[]"), atB)
    }

    func testAuthorizationIsKeptOnASameOriginRedirect() async throws {
        let response = try await client.send(HTTPRequest(url: nginx.url(0) + "/same", headers: credentials))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "A /landing-same")
        let landing = try nginx.waitForLine(in: "a.log", containing: "/landing-same")
        XCTAssertTrue(landing.contains("auth=[Bearer secret-token-123]"), landing)
    }

    func testARelativeLocationResolvesAgainstTheRequestURLAndKeepsMethodAndBody() async throws {
        let response = try await client.send(HTTPRequest(method: "PUT", url: nginx.url(0) + "/relative", body: .bytes(Array("hi".utf8))))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "A /landing-relative")
        try nginx.waitForLine(in: "a.log", containing: "PUT /landing-relative")
    }

    func testSeeOtherTurnsAPostIntoAGet() async throws {
        _ = try await client.send(HTTPRequest(method: "POST", url: nginx.url(0) + "/see-other", body: .bytes([1, 2, 3])))
        try nginx.waitForLine(in: "a.log", containing: "GET /landing-see-other")
    }

    func testAStreamedBodyIsNotReplayedToARedirect() async throws {
        let response = try await client.send(HTTPRequest(method: "PUT", url: nginx.url(0) + "/relative",
                                                         body: .stream(PatternSource(count: 1000), length: 1000)))
        XCTAssertEqual(response.status, 307, "the redirect itself is the answer")
        XCTAssertEqual(response.headers["Location"], nginx.url(0) + "/landing-relative")
    }

    func testEndlessRedirectsFailAfterTheConfiguredMaximum() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.maxRedirects = 3
        let client = HTTPClient(configuration: configuration)
        do {
            _ = try await client.send(HTTPRequest(url: nginx.url(0) + "/loop"))
            XCTFail("a redirect loop must fail")
        } catch let error as HTTPError {
            XCTAssertEqual(error.kind, .tooManyRedirects)
            XCTAssertFalse(error.isRetryable)
            XCTAssertEqual(client.statistics.requests, 4)
        }
    }

    func testRequestsSayWhoTheyAre() async throws {
        _ = try await client.send(HTTPRequest(url: nginx.url(0) + "/ua"))
        let line = try nginx.waitForLine(in: "a.log", containing: "/ua")
        XCTAssertTrue(line.contains("ua=[docker-sync/\(dockerSyncVersion)]"), line)
    }
}
