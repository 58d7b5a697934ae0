import AWS
import Foundation
import XCTest

/// GetAuthorizationToken's token, and how long docker-sync keeps using it.
final class ECRAuthorizationTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func testTokenDecodesToUserAndPassword() throws {
        let token = Data("AWS:eyJwYXlsb2FkIjoi:with:colons".utf8).base64EncodedString()
        let authorization = try ECRAuthorization(authorizationToken: token, expiresAt: nil)
        XCTAssertEqual(authorization.username, "AWS")
        XCTAssertEqual(authorization.password, "eyJwYXlsb2FkIjoi:with:colons")
    }

    func testTokenThatIsNotBase64UserPasswordIsAnErrorThatDoesNotRepeatIt() {
        for token in ["not base64 at all!", Data("no-colon-here".utf8).base64EncodedString(), Data(":empty-user".utf8).base64EncodedString()] {
            XCTAssertThrowsError(try ECRAuthorization(authorizationToken: token, expiresAt: nil), token) { error in
                XCTAssertFalse("\(error)".contains(token), "\(error)")
                XCTAssertFalse("\(error)".contains("no-colon-here"), "\(error)")
            }
        }
    }

    func testRenewedFiveMinutesBeforeATwelveHourExpiry() {
        let authorization = ECRAuthorization(username: "AWS", password: "pw", expiresAt: now.addingTimeInterval(12 * 3600))
        XCTAssertEqual(authorization.renewAt(now: now), now.addingTimeInterval(12 * 3600 - 300))
    }

    func testShortLifetimeKeepsThreeQuartersOfIt() {
        let authorization = ECRAuthorization(username: "AWS", password: "pw", expiresAt: now.addingTimeInterval(400))
        XCTAssertEqual(authorization.renewAt(now: now), now.addingTimeInterval(300))
    }

    func testPastOrMissingExpiryFallsBackToAnHourInsteadOfRefetchingPerRequest() {
        let moto = Date(timeIntervalSince1970: 1_420_070_400) // 2015-01-01, what moto answers
        for expiresAt in [moto, now.addingTimeInterval(30), nil] {
            let authorization = ECRAuthorization(username: "AWS", password: "pw", expiresAt: expiresAt)
            XCTAssertEqual(authorization.renewAt(now: now), now.addingTimeInterval(ECRAuthorization.fallbackLifetime),
                           "\(String(describing: expiresAt))")
        }
    }

    func testPrintingNeverShowsThePassword() {
        let authorization = ECRAuthorization(username: "AWS", password: "ecr-secret-password", expiresAt: now)
        var dumped = ""
        dump(authorization, to: &dumped)
        for text in ["\(authorization)", String(reflecting: authorization), dumped, "\([authorization])"] {
            XCTAssertFalse(text.contains("ecr-secret-password"), text)
        }
    }
}
