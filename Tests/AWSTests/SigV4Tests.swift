import AWS
import Foundation
import HTTP
import XCTest

/// Vectors from the AWS SigV4 test suite and the S3 documentation's worked examples.
final class SigV4Tests: XCTestCase {
    let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let suiteDate = Date(timeIntervalSince1970: 1_440_938_160) // 20150830T123600Z

    func testGetVanillaMatchesTheTestSuite() throws {
        var request = HTTPRequest(url: "https://example.amazonaws.com/")
        try SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")
            .sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: suiteDate)
        XCTAssertEqual(request.headers["x-amz-date"], "20150830T123600Z")
        XCTAssertEqual(request.headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    func testQueryParametersAreSortedByKey() throws {
        var request = HTTPRequest(url: "https://example.amazonaws.com/?Param2=value2&Param1=value1")
        try SigV4Signer(credentials: suiteCredentials, region: "us-east-1", service: "service")
            .sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: suiteDate)
        XCTAssertTrue(request.headers["Authorization"]!.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
                      request.headers["Authorization"]!)
    }

    func testS3GetObjectWithRangeMatchesTheS3Example() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        var request = HTTPRequest(url: "https://examplebucket.s3.amazonaws.com/test.txt", headers: ["Range": "bytes=0-9"])
        try SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
            .sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Date(timeIntervalSince1970: 1_369_353_600))
        XCTAssertEqual(request.headers["x-amz-content-sha256"], SigV4Signer.emptyPayloadHash)
        XCTAssertEqual(request.headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testSessionTokenIsSentAndSigned() throws {
        var credentials = suiteCredentials
        credentials.sessionToken = "session-token"
        var request = HTTPRequest(url: "https://example.amazonaws.com/")
        try SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
            .sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: suiteDate)
        XCTAssertEqual(request.headers["x-amz-security-token"], "session-token")
        XCTAssertTrue(request.headers["Authorization"]!.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
    }

    func testCredentialsNeverPrintTheSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "t0k3n")
        XCTAssertFalse("\(credentials)".contains("s3cr3t"))
        XCTAssertFalse("\(credentials)".contains("t0k3n"))
        XCTAssertNil(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"]))
        XCTAssertEqual(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x"])?.secretAccessKey, "x")
    }
}
