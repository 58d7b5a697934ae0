import HTTP
import XCTest

final class HeaderNameTests: XCTestCase {
    func testNamesMatchIgnoringASCIICaseOnly() {
        let headers: HTTPHeaders = ["Docker-Content-Digest": "sha256:x", "X-A_B": "1", "Www-Authenticate": "Basic"]
        XCTAssertEqual(headers["docker-content-digest"], "sha256:x")
        XCTAssertEqual(headers["DOCKER-CONTENT-DIGEST"], "sha256:x")
        XCTAssertEqual(headers["x-a_b"], "1")
        XCTAssertNil(headers["x-a\u{7f}b"], "_ and DEL differ by 0x20 but are not letters")
        XCTAssertNil(headers["Docker\rContent-Digest"], "- and CR differ by 0x20 but are not letters")
        XCTAssertNil(headers["Docker-Content-Diges"])
        XCTAssertEqual(headers.values(for: "WWW-AUTHENTICATE"), ["Basic"])
    }
}
