import AWS
import Foundation
import HTTP
import TestSupport
import XCTest

/// With moto checking signatures, the ECR calls signed with the right secret are accepted and a
/// wrong secret is refused with an error that names the call but not the secret.
final class ECRSignatureTests: XCTestCase {
    func testSignedCallsAreAcceptedAndAWrongSecretIsRefused() async throws {
        // Three unauthenticated set-up calls: the IAM user, its policy and its key.
        let moto = try MotoServer.start(initialNoAuthActionCount: 3)
        defer { moto.stop() }
        let key = try moto.createUser("ecr-pusher", allowing: "ecr:*")
        let http = HTTPClient()
        let right = ECRClient(http: http, endpoint: moto.endpoint.absoluteString, region: moto.region) {
            AWSCredentials(accessKeyID: key.id, secretAccessKey: key.secret)
        }
        let authorization = try await right.getAuthorizationToken(registryID: "123456789012")
        XCTAssertEqual(authorization.password, "123456789012-auth-token")
        let created = try await right.createRepository("signed/app", registryID: nil)
        XCTAssertTrue(created)
        let exists = try await right.repositoryExists("signed/app", registryID: nil)
        XCTAssertTrue(exists)

        let wrongSecret = "not-the-secret-\(UUID().uuidString)"
        let wrong = ECRClient(http: http, endpoint: moto.endpoint.absoluteString, region: moto.region) {
            AWSCredentials(accessKeyID: key.id, secretAccessKey: wrongSecret)
        }
        do {
            _ = try await wrong.getAuthorizationToken(registryID: nil)
            XCTFail("a wrong secret must be refused")
        } catch let error as AWSServiceError {
            XCTAssertEqual(error.status, 403, "\(error)")
            XCTAssertEqual(error.code, "SignatureDoesNotMatch", "\(error)")
            XCTAssertFalse(error.isRetryable)
            let text = "\(error)"
            XCTAssertTrue(text.contains("ECR GetAuthorizationToken") && text.contains("check the AWS credentials"), text)
            XCTAssertFalse(text.contains(wrongSecret) || text.contains(key.secret), text)
        }
    }
}
