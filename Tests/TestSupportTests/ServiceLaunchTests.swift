@testable import TestSupport
import XCTest

/// Each launcher starts its real program on a loopback port and the program answers.
final class ServiceLaunchTests: XCTestCase {
    func testRegistryWithoutAuthAnswersBaseEndpointAndLogsAccess() throws {
        let registry = try RegistryServer.start()
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/").status, 200)
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/nothing/tags/list").status, 404)
        XCTAssertNil(registry.credentials)
        XCTAssertEqual(registry.host, "127.0.0.1:\(registry.port)")
        // The access log is written as the request completes; wait for the event, not a fixed time.
        try waitUntil { try registry.requestCount(method: "GET", path: "/tags/list$") == 1 }
        XCTAssertGreaterThanOrEqual(try registry.requestCount(method: "GET", path: "^/v2/$"), 2)
        XCTAssertTrue(registry.accessLog().contains(AccessLogEntry(method: "GET", path: "/v2/nothing/tags/list", status: 404)))
    }

    func testHtpasswdRegistryRejectsAnonymousAndAcceptsItsCredentials() throws {
        let registry = try RegistryServer.start(auth: .htpasswd(username: "alice", password: "wonderland"))
        let anonymous = try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.header("WWW-Authenticate")?.hasPrefix("Basic"), true)
        let basic = "Basic " + Data("alice:wonderland".utf8).base64EncodedString()
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/", headers: ["Authorization": basic]).status, 200)
        XCTAssertEqual(registry.credentials, RegistryLogin(username: "alice", password: "wonderland"))

        let pushed = try ImageSeeder(registry).push(.docker(layers: [2048]), repository: "team/app", tag: "v1")
        XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/team/app:v1", creds: registry.credentials), pushed.digest)
        XCTAssertThrowsError(try Skopeo.listTags("\(registry.host)/team/app"))
    }

    func testMotoAnswersS3() throws {
        let moto = try MotoServer.start()
        XCTAssertEqual(try LoopbackHTTP.request("PUT", port: moto.port, path: "/test-bucket", body: Data()).status, 200)
        let list = try LoopbackHTTP.request("GET", port: moto.port, path: "/")
        XCTAssertEqual(list.status, 200)
        XCTAssertTrue(String(decoding: list.body, as: UTF8.self).contains("<Name>test-bucket</Name>"))
        XCTAssertEqual(moto.endpoint.absoluteString, "http://127.0.0.1:\(moto.port)")
    }

    func testStoppedServicesReleaseTheirPorts() throws {
        let registry = try RegistryServer.start()
        let proxy = try FaultProxy.start(upstream: registry)
        registry.stop()
        proxy.stop()
        XCTAssertFalse(FreePort.isAccepting(registry.port))
        XCTAssertFalse(FreePort.isAccepting(proxy.port))
    }
}

/// Polls `condition` (a log file being appended) until it holds or `timeout` passes.
func waitUntil(timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
               _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        usleep(10_000)
    }
    XCTFail("condition not met within \(timeout) s", file: file, line: line)
}
