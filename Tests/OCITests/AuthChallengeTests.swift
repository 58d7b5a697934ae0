import HTTP
import XCTest
@testable import OCI

final class AuthChallengeTests: XCTestCase {
    func testDockerHubBearerChallenge() {
        let challenges = AuthChallenge.parse(
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#)
        XCTAssertEqual(challenges.count, 1)
        XCTAssertEqual(challenges[0].scheme, .bearer)
        XCTAssertEqual(challenges[0].realm, "https://auth.docker.io/token")
        XCTAssertEqual(challenges[0].service, "registry.docker.io")
        XCTAssertEqual(challenges[0].scope, "repository:library/ubuntu:pull")
    }

    func testQuotedCommasAndEscapesStayInTheValue() {
        let challenges = AuthChallenge.parse(
            #"Bearer realm="http://127.0.0.1:1/token", service="svc", scope="repository:a/b:pull,push repository:c:pull", error="insufficient_scope", x="a\"b""#)
        XCTAssertEqual(challenges.count, 1)
        XCTAssertEqual(challenges[0].scope, "repository:a/b:pull,push repository:c:pull")
        XCTAssertEqual(challenges[0].error, "insufficient_scope")
        XCTAssertEqual(challenges[0].parameters["x"], #"a"b"#)
    }

    func testBasicChallengeAndCaseInsensitiveScheme() {
        let challenges = AuthChallenge.parse(#"basic realm="docker-sync-test""#)
        XCTAssertEqual(challenges, [AuthChallenge(scheme: .basic, parameters: ["realm": "docker-sync-test"])])
    }

    func testSeveralChallengesInOneField() {
        let challenges = AuthChallenge.parse(#"Basic realm="r1", Bearer realm="https://t/token",service=reg , Negotiate"#)
        XCTAssertEqual(challenges.map(\.scheme), [.basic, .bearer, .other("Negotiate")])
        XCTAssertEqual(challenges[1].realm, "https://t/token")
        XCTAssertEqual(challenges[1].service, "reg", "token (unquoted) values are read too")
    }

    func testChallengesFromRepeatedHeaderFields() {
        var headers = HTTPHeaders()
        headers.add("WWW-Authenticate", #"Basic realm="a""#)
        headers.add("www-authenticate", #"Bearer realm="b",SERVICE="s""#)
        let challenges = AuthChallenge.parse(headers)
        XCTAssertEqual(challenges.map(\.scheme), [.basic, .bearer])
        XCTAssertEqual(challenges[1].service, "s", "parameter names are case-insensitive")
    }

    func testEmptyHeaderHasNoChallenge() {
        XCTAssertTrue(AuthChallenge.parse("").isEmpty)
        XCTAssertTrue(AuthChallenge.parse(" , ").isEmpty)
    }
}
