@testable import HTTP
import XCTest

final class ResponseHeadParserTests: XCTestCase {
    private func parse(_ lines: [String]) -> (head: HTTPResponseHead?, completedAt: Int?) {
        var parser = ResponseHeadParser()
        var completedAt: Int?
        for (index, line) in lines.enumerated() where parser.consume(line, url: "http://r/v2/") != nil {
            completedAt = completedAt ?? index
        }
        return (parser.finalHead, completedAt)
    }

    func testStatusLineFieldsAndTheEmptyLineMakeAHead() throws {
        let result = parse(["HTTP/1.1 201 Created\r\n", "Location: /v2/a/blobs/uploads/1?_state=x\r\n",
                            "Docker-Content-Digest:sha256:abc \r\n", "X-Empty:\r\n", "\r\n"])
        let head = try XCTUnwrap(result.head)
        XCTAssertEqual(result.completedAt, 4, "the head is complete at the empty line, not before")
        XCTAssertEqual(head.status, 201)
        XCTAssertEqual(head.httpVersion, "HTTP/1.1")
        XCTAssertEqual(head.url, "http://r/v2/")
        XCTAssertEqual(head.headers["location"], "/v2/a/blobs/uploads/1?_state=x", "a colon inside the value stays")
        XCTAssertEqual(head.headers["Docker-Content-Digest"], "sha256:abc", "spaces around the value are trimmed")
        XCTAssertEqual(head.headers["X-Empty"], "")
    }

    func testInformationalHeadsAreDroppedAndTrailersIgnored() throws {
        let head = try XCTUnwrap(parse(["HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n",
                                        "HTTP/2 404 \r\n", "Content-Type: application/json\r\n", "\r\n",
                                        "X-Trailer: late\r\n", "\r\n"]).head)
        XCTAssertEqual(head.status, 404)
        XCTAssertEqual(head.httpVersion, "HTTP/2")
        XCTAssertNil(head.headers["X-Interim"], "fields of a 1xx head do not leak into the final one")
        XCTAssertNil(head.headers["X-Trailer"])
        XCTAssertEqual(head.headers["content-type"], "application/json")
    }

    func testFoldedValuesJoinAndBareLineFeedsEndLines() throws {
        let head = try XCTUnwrap(parse(["HTTP/1.0 200 OK\n", "Www-Authenticate: Bearer realm=\"x\",\n",
                                        " \tservice=\"y\"\n", "Link: <a>\n", "\n"]).head)
        XCTAssertEqual(head.headers["WWW-Authenticate"], "Bearer realm=\"x\", service=\"y\"")
        XCTAssertEqual(head.headers.fields.map(\.name), ["Www-Authenticate", "Link"])
        XCTAssertEqual(head.status, 200)
    }

    func testNonASCIIValuesAreKeptAsUTF8() throws {
        let head = try XCTUnwrap(parse(["HTTP/1.1 400 Bad Request\r\n", "X-Reason: dépôt ✓\r\n", "\r\n"]).head)
        XCTAssertEqual(head.headers["x-reason"], "dépôt ✓")
    }

    func testAGarbledStatusLineGivesStatusZeroNotACrash() throws {
        let head = try XCTUnwrap(parse(["HTTP/1.1\r\n", "\r\n"]).head)
        XCTAssertEqual(head.status, 0)
    }
}
