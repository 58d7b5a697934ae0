import XCTest
@testable import Redis

final class RedisURLTests: XCTestCase {
    func testParsesHostPortUserPasswordAndDatabase() throws {
        let url = try RedisURL("redis://alice:p%40ss%3Aword@redis.example:6380/3")
        XCTAssertEqual(url.endpoint, .tcp(host: "redis.example", port: 6380))
        XCTAssertEqual(url.username, "alice")
        XCTAssertEqual(url.password, "p@ss:word")
        XCTAssertEqual(url.database, 3)
    }

    func testDefaultsToPort6379AndDatabase0WithoutCredentials() throws {
        for text in ["redis://localhost", "redis://localhost/", "redis://localhost:6379/0"] {
            let url = try RedisURL(text)
            XCTAssertEqual(url, RedisURL(endpoint: .tcp(host: "localhost", port: 6379)), text)
        }
    }

    func testPasswordAloneAuthenticatesTheDefaultUser() throws {
        let url = try RedisURL("redis://:secret@127.0.0.1:7000")
        XCTAssertNil(url.username)
        XCTAssertEqual(url.password, "secret")
    }

    func testUnencodedAtSignInPasswordIsKept() throws {
        XCTAssertEqual(try RedisURL("redis://bob:a@b@host:1/0").password, "a@b")
    }

    func testIPv6Host() throws {
        let url = try RedisURL("redis://[::1]:7000/1")
        XCTAssertEqual(url.endpoint, .tcp(host: "::1", port: 7000))
        XCTAssertEqual(url.database, 1)
        XCTAssertEqual(url.description, "redis://[::1]:7000/1")
    }

    func testUnixSocketForms() throws {
        let long = try RedisURL("unix:///var/run/redis/redis.sock?db=2")
        XCTAssertEqual(long.endpoint, .unix(path: "/var/run/redis/redis.sock"))
        XCTAssertEqual(long.database, 2)
        XCTAssertEqual(try RedisURL("unix:/tmp/r.sock").endpoint, .unix(path: "/tmp/r.sock"))
        let withCredentials = try RedisURL("unix://worker:pw@/tmp/r.sock?db=1")
        XCTAssertEqual(withCredentials.endpoint, .unix(path: "/tmp/r.sock"))
        XCTAssertEqual(withCredentials.username, "worker")
        XCTAssertEqual(withCredentials.password, "pw")
        XCTAssertEqual(withCredentials.database, 1)
    }

    func testBadURLsGiveAClearError() {
        let bad = [
            "http://host": "scheme", "redis://": "host", "redis://h:port": "port", "redis://h:70000": "port",
            "redis://h/x": "database", "redis://h/-1": "database", "unix://host/tmp/r.sock": "no host",
            "unix:relative.sock": "absolute", "redis://h?timeout=1": "parameter", "redis://user@h": "password",
            "rediss://h": "TLS",
        ]
        for (text, expected) in bad {
            XCTAssertThrowsError(try RedisURL(text), text) { error in
                guard case RedisError.invalidURL = error else { return XCTFail("\(text): \(error)") }
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testPasswordNeverShows() throws {
        XCTAssertThrowsError(try RedisURL("redis://u:topsecret@h:notaport")) { error in
            XCTAssertFalse("\(error)".contains("topsecret"), "\(error)")
        }
        let url = try RedisURL("redis://u:topsecret@h:1/2")
        let options = RedisOptions(url: url)
        for text in ["\(url)", String(reflecting: url), "\(options)", String(reflecting: options)] {
            XCTAssertFalse(text.contains("topsecret"), text)
        }
        XCTAssertEqual(url.description, "redis://u:***@h:1/2")
        XCTAssertEqual(try RedisURL("unix://:topsecret@/tmp/r.sock").description, "unix://:***@/tmp/r.sock")
    }
}
