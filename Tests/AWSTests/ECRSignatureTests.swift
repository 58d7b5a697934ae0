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

/// AWS's JSON services answer a signature mismatch with the canonical request they expected in the
/// message, and with temporary credentials that request holds `x-amz-security-token`: the error a
/// job logs and files in Redis must not carry it.
final class ECRSignatureMessageTests: XCTestCase {
    func testTheSessionTokenInASignatureMismatchMessageIsNotKept() async throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        let token = "IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJH-session-\(UUID().uuidString)"
        let message = "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            + "Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this "
            + "request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:\(moto.host)\n"
            + "x-amz-date:20261129T074500Z\nx-amz-security-token:\(token)\n"
            + "x-amz-target:AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken\n\n"
            + "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n44136fa355b3678a1146ad16f7e8649e'\n\n"
            + "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261129T074500Z\n20261129/us-east-1/ecr/aws4_request\n"
            + "f2a8b1c7'\n"
        let body = try JSONSerialization.data(withJSONObject: ["__type": "InvalidSignatureException", "message": message])
        let proxy = try FaultProxy.start(upstream: moto.host, faults: [.status(400, methods: ["POST"], path: "^/$", body: body)])
        defer { proxy.stop() }
        let client = ECRClient(http: HTTPClient(), endpoint: "http://\(proxy.host)", region: moto.region) {
            AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "wrong-secret", sessionToken: token)
        }
        do {
            _ = try await client.getAuthorizationToken(registryID: nil)
            XCTFail("the proxy answers every call with the mismatch")
        } catch let error as AWSServiceError {
            let text = "\(error)"
            XCTAssertEqual(error.code, "InvalidSignatureException", text)
            XCTAssertFalse(text.contains(token) || text.contains("-session-"), text)
            XCTAssertTrue(text.contains("does not match the signature you provided") && text.contains("check the AWS credentials"), text)
        }
    }
}
