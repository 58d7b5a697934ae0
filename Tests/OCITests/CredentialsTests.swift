import XCTest
@testable import OCI

final class CredentialsTests: XCTestCase {
    func testPrintingNeverShowsSecrets() {
        let basic = RegistryCredentials.basic(username: "alice", password: "hunter2-secret")
        let bearer = RegistryCredentials.bearer(token: "tok-secret-123")
        for credentials in [basic, bearer] {
            var dumped = ""
            dump(credentials, to: &dumped)
            for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped,
                         "\([credentials])", "\(Optional(credentials) as Any)"] {
                XCTAssertFalse(text.contains("secret"), text)
            }
        }
        XCTAssertEqual("\(basic)", "basic(username: alice, password: <redacted>)")
        XCTAssertEqual("\(bearer)", "bearer(token: <redacted>)")
        XCTAssertEqual("\(RegistryCredentials.anonymous)", "anonymous")
    }

    func testFromConfigFields() {
        XCTAssertEqual(RegistryCredentials(username: "", password: "", token: ""), .anonymous)
        XCTAssertEqual(RegistryCredentials(username: nil, password: nil, token: nil), .anonymous)
        XCTAssertEqual(RegistryCredentials(username: "u", password: "p", token: ""), .basic(username: "u", password: "p"))
        XCTAssertEqual(RegistryCredentials(username: "u", password: "p", token: "t"), .bearer(token: "t"))
    }

    func testBasicAuthorizationHeader() {
        XCTAssertEqual(RegistryCredentials.basic(username: "Aladdin", password: "open sesame").basicAuthorization,
                       "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        XCTAssertNil(RegistryCredentials.anonymous.basicAuthorization)
    }
}
