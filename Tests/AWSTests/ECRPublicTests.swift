@testable import AWS
import Foundation
import HTTP
import XCTest

/// ECR Public's API as docker-sync calls it, checked without a server (moto does not serve
/// `ecr-public`): the signed requests, and answers written from the API reference.
/// https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_GetAuthorizationToken.html
final class ECRPublicTests: XCTestCase {
    private let keys = ["AWS_ACCESS_KEY_ID": "AKIDPUBLIC", "AWS_SECRET_ACCESS_KEY": "public-secret", "HOME": "/nonexistent"]

    private func helper(_ environment: [String: String] = [:], configuredRegion: String = "eu-west-1") throws -> ECRHelper {
        try ECRHelper(registry: "public.ecr.aws", http: HTTPClient(), configuredRegion: configuredRegion,
                      environment: keys.merging(environment) { $1 })
    }

    private func client() -> ECRClient {
        ECRClient(http: HTTPClient(), endpoint: ECRPublicRegistry.apiEndpoint, region: "us-east-1", service: .public) {
            AWSCredentials(accessKeyID: "AKIDPUBLIC", secretAccessKey: "public-secret")
        }
    }

    private func body(_ request: HTTPRequest) -> String {
        guard case .bytes(let bytes) = request.body else { return "<not bytes>" }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testHelperOnPublicECRUsesTheECRPublicAPIInUSEast1WhateverTheConfiguredRegion() throws {
        let helper = try helper(["AWS_REGION": "ap-south-1"])
        XCTAssertEqual(helper.client.service, .public)
        XCTAssertEqual(helper.client.region, "us-east-1")
        XCTAssertEqual(helper.client.endpoint, "https://api.ecr-public.us-east-1.amazonaws.com")
        XCTAssertNil(helper.registryID, "ECR Public has no registry id in its host name")
        XCTAssertEqual(try self.helper(configuredRegion: "").client.region, "us-east-1", "no region needs configuring")
    }

    func testEndpointOverridesPreferTheECRPublicVariable() throws {
        XCTAssertEqual(try helper(["AWS_ENDPOINT_URL": "https://all.example"]).client.endpoint, "https://all.example")
        XCTAssertEqual(try helper(["AWS_ENDPOINT_URL": "https://all.example", "AWS_ENDPOINT_URL_ECR_PUBLIC": "http://127.0.0.1:9/"])
                        .client.endpoint, "http://127.0.0.1:9")
        XCTAssertEqual(try helper(["AWS_ENDPOINT_URL_ECR": "https://private-only.example"]).client.endpoint,
                       "https://api.ecr-public.us-east-1.amazonaws.com", "the private ECR override is not ECR Public's")
    }

    func testGetAuthorizationTokenIsAnEmptyJSON11CallSignedForECRPublicInUSEast1() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
        let client = client()
        let request = try client.signedRequest("GetAuthorizationToken", client.authorizationTokenRequest(registryID: "123456789012"),
                                               date: date)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url, "https://api.ecr-public.us-east-1.amazonaws.com/")
        XCTAssertEqual(request.headers["X-Amz-Target"], "SpencerFrontendService.GetAuthorizationToken")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-amz-json-1.1")
        XCTAssertEqual(body(request), "{}", "ECR Public's GetAuthorizationToken takes no registryIds")
        XCTAssertEqual(request.headers["x-amz-date"], "20260101T000000Z")
        let authorization = try XCTUnwrap(request.headers["Authorization"])
        XCTAssertTrue(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDPUBLIC/20260101/us-east-1/ecr-public/aws4_request, "),
                      authorization)
        XCTAssertTrue(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,"), authorization)
        XCTAssertFalse(authorization.contains("public-secret"))
    }

    func testSignatureIsThatOfTheECRPublicServiceName() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600)
        let client = client()
        let asPublic = try client.signedRequest("GetAuthorizationToken", client.authorizationTokenRequest(registryID: nil), date: date)
        var expected = HTTPRequest(method: "POST", url: "https://api.ecr-public.us-east-1.amazonaws.com/", headers: [
            "X-Amz-Target": "SpencerFrontendService.GetAuthorizationToken",
            "Content-Type": "application/x-amz-json-1.1",
            "Accept": "application/json",
        ], body: .bytes(Array("{}".utf8)))
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDPUBLIC", secretAccessKey: "public-secret"),
                                 region: "us-east-1", service: "ecr-public")
        try signer.sign(&expected, payloadHash: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", date: date)
        XCTAssertEqual(asPublic.headers["Authorization"], expected.headers["Authorization"])
    }

    func testRepositoryCallsUseTheECRPublicTargetAndOmitAMissingRegistryId() throws {
        let client = client()
        struct Describe: Encodable { let repositoryNames: [String]; let registryId: String? }
        let describe = try client.signedRequest("DescribeRepositories", Describe(repositoryNames: ["team/app"], registryId: nil))
        XCTAssertEqual(describe.headers["X-Amz-Target"], "SpencerFrontendService.DescribeRepositories")
        XCTAssertEqual(body(describe), #"{"repositoryNames":["team\/app"]}"#)
        struct Create: Encodable { let repositoryName: String; let registryId: String? }
        let create = try client.signedRequest("CreateRepository", Create(repositoryName: "team/app", registryId: nil))
        XCTAssertEqual(create.headers["X-Amz-Target"], "SpencerFrontendService.CreateRepository")
        XCTAssertEqual(body(create), #"{"repositoryName":"team\/app"}"#)
    }

    func testAuthorizationAnswerIsOneObjectWithEpochSecondsExpiry() throws {
        let token = Data("AWS:public-password.with:colons".utf8).base64EncodedString()
        let answer = #"{"authorizationData":{"authorizationToken":"\#(token)","expiresAt":1767268800.123}}"#
        let authorization = try client().decodeAuthorization(Array(answer.utf8))
        XCTAssertEqual(authorization.username, "AWS")
        XCTAssertEqual(authorization.password, "public-password.with:colons")
        XCTAssertEqual(authorization.expiresAt, Date(timeIntervalSince1970: 1_767_268_800.123))
    }

    func testAnswersOfTheOtherShapeOrWithoutATokenAreRefusedWithoutTheirContent() throws {
        let token = Data("AWS:leaked-if-printed".utf8).base64EncodedString()
        let privateShape = #"{"authorizationData":[{"authorizationToken":"\#(token)","expiresAt":1767268800}]}"#
        for answer in [privateShape, #"{"authorizationData":{"expiresAt":1767268800}}"#, "{}", "not json"] {
            XCTAssertThrowsError(try client().decodeAuthorization(Array(answer.utf8)), answer) { error in
                XCTAssertEqual("\(error)", "ECR Public GetAuthorizationToken (https://api.ecr-public.us-east-1.amazonaws.com/): "
                    + "200 unexpected answer: no authorizationData")
            }
        }
        let privateClient = ECRClient(http: HTTPClient(), endpoint: "https://api.ecr.us-east-1.amazonaws.com", region: "us-east-1") {
            AWSCredentials(accessKeyID: "a", secretAccessKey: "b")
        }
        XCTAssertEqual(try privateClient.decodeAuthorization(Array(privateShape.utf8)).password, "leaked-if-printed")
        XCTAssertThrowsError(try privateClient.decodeAuthorization(
            Array(#"{"authorizationData":{"authorizationToken":"\#(token)"}}"#.utf8)))
    }

    func testErrorAnswersNameTheServiceCodeAndTheIAMActionsToGrant() {
        func error(_ status: Int, _ body: String, action: String) -> AWSServiceError {
            AWSServiceError(service: "ECR Public", action: action, endpoint: ECRPublicRegistry.apiEndpoint + "/",
                            response: HTTPResponse(head: HTTPResponseHead(status: status, headers: [:], url: ""), body: Array(body.utf8)))
        }
        let denied = error(400, #"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/ci is not authorized"}"#,
                           action: "GetAuthorizationToken")
        XCTAssertEqual(denied.code, "AccessDeniedException")
        XCTAssertFalse(denied.isRetryable)
        XCTAssertTrue("\(denied)".hasPrefix("ECR Public GetAuthorizationToken (https://api.ecr-public.us-east-1.amazonaws.com/): 400 "
            + "AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized"), "\(denied)")
        XCTAssertTrue("\(denied)".contains("ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken"), "\(denied)")
        let createDenied = error(400, #"{"__type":"AccessDeniedException","message":"no"}"#, action: "CreateRepository")
        XCTAssertTrue("\(createDenied)".contains("permission for ecr-public:CreateRepository"), "\(createDenied)")

        let missing = error(400, #"{"__type":"com.amazonaws.ecr.public#RepositoryNotFoundException","message":"not found"}"#,
                            action: "DescribeRepositories")
        XCTAssertEqual(missing.code, "RepositoryNotFoundException")
        XCTAssertEqual(error(400, #"{"__type":"RepositoryAlreadyExistsException","message":"exists"}"#, action: "CreateRepository").code,
                       "RepositoryAlreadyExistsException")
        let server = error(500, #"{"__type":"ServerException","message":"try later"}"#, action: "GetAuthorizationToken")
        XCTAssertTrue(server.isRetryable)
        XCTAssertTrue(error(400, #"{"__type":"ThrottlingException","message":"slow"}"#, action: "GetAuthorizationToken").isRetryable)
    }

    func testRepositoryNameInTheAPIDropsTheRegistryAlias() {
        XCTAssertEqual(ECRHelper.apiRepositoryName("my-alias/team/app", service: .public), "team/app")
        XCTAssertEqual(ECRHelper.apiRepositoryName("my-alias/app", service: .public), "app")
        XCTAssertNil(ECRHelper.apiRepositoryName("app", service: .public))
        XCTAssertNil(ECRHelper.apiRepositoryName("my-alias/", service: .public))
        XCTAssertEqual(ECRHelper.apiRepositoryName("team/app", service: .private), "team/app")
    }

    func testPathWithoutARepositoryAfterTheAliasIsNotCreatedButPushedAnyway() async throws {
        let state = try await helper().ensureRepository("only-an-alias")
        guard case .unchecked(let reason)? = state else { return XCTFail("\(String(describing: state))") }
        XCTAssertTrue(reason.contains("<registry alias>/<repository>"), reason)
    }

    func testMissingCredentialsFailAtSetUpNamingTheRegistry() {
        XCTAssertThrowsError(try ECRHelper(registry: "public.ecr.aws", http: HTTPClient(), configuredRegion: "",
                                           environment: ["HOME": "/nonexistent"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("registry public.ecr.aws uses helper ecr: no AWS credentials"), "\(error)")
        }
    }
}
