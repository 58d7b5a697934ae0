import AWS
import Foundation
import HTTP
import TestSupport
import XCTest

/// The ECR API calls against moto's ECR, and the helper's set-up from config and environment.
final class ECRClientTests: XCTestCase {
    private static let shared = SharedFixture { try MotoServer.start() }
    private let http = HTTPClient()

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    private func moto() throws -> MotoServer { try Self.shared.get() }

    private func environment(_ moto: MotoServer, _ extra: [String: String] = [:]) -> [String: String] {
        ["AWS_ENDPOINT_URL_ECR": moto.endpoint.absoluteString, "AWS_ACCESS_KEY_ID": moto.accessKeyID,
         "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey, "HOME": "/nonexistent"].merging(extra) { $1 }
    }

    func testAuthorizationTokenForTheAccountOfTheRegistryHost() async throws {
        let moto = try moto()
        let helper = try ECRHelper(registry: "210987654321.dkr.ecr.eu-west-1.amazonaws.com", http: http,
                                   configuredRegion: "us-east-1", environment: environment(moto))
        XCTAssertEqual(helper.registryID, "210987654321")
        XCTAssertEqual(helper.client.region, "eu-west-1", "the host's region wins over ecr.region")
        let authorization = try await helper.authorization()
        XCTAssertEqual(authorization.username, "AWS")
        // moto's password names the registry id it was asked for.
        XCTAssertEqual(authorization.password, "210987654321-auth-token")
        XCTAssertEqual(authorization.expiresAt, Date(timeIntervalSince1970: 1_420_070_400))
    }

    func testAuthorizationTokenForAnotherHostIsTheCallersAccount() async throws {
        let moto = try moto()
        let helper = try ECRHelper(registry: "127.0.0.1:5000", http: http, configuredRegion: "us-west-2", environment: environment(moto))
        XCTAssertNil(helper.registryID)
        XCTAssertEqual(helper.client.region, "us-west-2")
        let authorization = try await helper.authorization()
        XCTAssertEqual(authorization.password, "123456789012-auth-token")
    }

    func testMissingRepositoryIsCreatedOnceAndThenFound() async throws {
        let moto = try moto()
        let client = ECRClient(http: http, endpoint: moto.endpoint.absoluteString, region: moto.region) {
            AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")
        }
        let exists = try await client.repositoryExists("team/new-app", registryID: nil)
        XCTAssertFalse(exists)
        let created = try await client.createRepository("team/new-app", registryID: nil)
        XCTAssertTrue(created)
        let existsNow = try await client.repositoryExists("team/new-app", registryID: nil)
        XCTAssertTrue(existsNow)
        let createdAgain = try await client.createRepository("team/new-app", registryID: nil)
        XCTAssertFalse(createdAgain, "RepositoryAlreadyExists (another worker was first) is not an error")
    }

    func testEnsureRepositoryWorksOncePerRepositoryEvenWhenJobsRace() async throws {
        let moto = try moto()
        let helper = try ECRHelper(registry: "127.0.0.1:5000", http: http, configuredRegion: "", environment:
                                    environment(moto, ["AWS_REGION": moto.region]))
        let states = try await withThrowingTaskGroup(of: ECRHelper.RepositoryState?.self) { group in
            for _ in 0..<8 { group.addTask { try await helper.ensureRepository("raced/app") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(states.compactMap { $0 }, [.created], "one job created it, the others waited for it")
        let again = try await helper.ensureRepository("raced/app")
        XCTAssertNil(again)
        let other = try await helper.ensureRepository("raced/other")
        XCTAssertEqual(other, .created)
    }

    func testAPIErrorNamesActionRegistryAndCodeButNoSecret() async throws {
        let moto = try moto()
        let client = ECRClient(http: http, endpoint: moto.endpoint.absoluteString, region: moto.region) {
            AWSCredentials(accessKeyID: "AKIDVISIBLE", secretAccessKey: "very-secret-key", sessionToken: "very-secret-token")
        }
        do {
            _ = try await client.createRepository("Invalid Name With Spaces", registryID: nil)
            XCTFail("moto accepted an invalid repository name")
        } catch let error as AWSServiceError {
            XCTAssertEqual(error.status, 400, "\(error)")
            XCTAssertEqual(error.action, "CreateRepository")
            XCTAssertFalse(error.isRetryable)
            XCTAssertTrue("\(error)".hasPrefix("ECR CreateRepository (\(moto.endpoint.absoluteString)/): 400 "), "\(error)")
            XCTAssertFalse("\(error)".contains("very-secret"), "\(error)")
        }
    }

    func testUnreachableEndpointIsARetryableErrorNamingTheRegistry() async throws {
        let port = FreePort.next()
        let helper = try ECRHelper(registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", http: http, configuredRegion: "",
                                   environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)", "AWS_ACCESS_KEY_ID": "a",
                                                 "AWS_SECRET_ACCESS_KEY": "b"])
        do {
            _ = try await helper.authorization()
            XCTFail("nothing listens there")
        } catch let error as AWSServiceError {
            XCTAssertTrue(error.isRetryable, "\(error)")
            XCTAssertNil(error.status)
            XCTAssertTrue("\(error)".contains("for registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com"), "\(error)")
        }
    }

    func testEndpointOverridesPreferTheECRVariable() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]
        let ecrHost = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
        func endpoint(_ environment: [String: String]) throws -> String {
            try ECRHelper(registry: ecrHost, http: http, configuredRegion: "", environment: keys.merging(environment) { $1 }).client.endpoint
        }
        XCTAssertEqual(try endpoint([:]), "https://api.ecr.eu-central-1.amazonaws.com")
        XCTAssertEqual(try endpoint(["AWS_ENDPOINT_URL": "https://all.example"]), "https://all.example")
        XCTAssertEqual(try endpoint(["AWS_ENDPOINT_URL": "https://all.example", "AWS_ENDPOINT_URL_ECR": "https://vpce.example/"]),
                       "https://vpce.example")
    }

    func testRegionComesFromHostThenConfigThenEnvironment() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]
        func region(_ host: String, _ configured: String, _ environment: [String: String] = [:]) throws -> String {
            try ECRHelper(registry: host, http: http, configuredRegion: configured,
                          environment: keys.merging(environment) { $1 }).client.region
        }
        XCTAssertEqual(try region("123456789012.dkr.ecr.ap-south-1.amazonaws.com", "us-east-1", ["AWS_REGION": "eu-north-1"]), "ap-south-1")
        XCTAssertEqual(try region("mirror.internal", "us-east-1", ["AWS_REGION": "eu-north-1"]), "us-east-1")
        XCTAssertEqual(try region("mirror.internal", "", ["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "x"]), "eu-north-1")
        XCTAssertEqual(try region("mirror.internal", "", ["AWS_DEFAULT_REGION": "sa-east-1"]), "sa-east-1")
        XCTAssertThrowsError(try region("mirror.internal", "")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("registry mirror.internal uses helper ecr"), text)
            XCTAssertTrue(text.contains("ecr.region") && text.contains("AWS_REGION"), text)
        }
    }

    func testMissingCredentialsFailAtSetUpNamingTheRegistry() {
        XCTAssertThrowsError(try ECRHelper(registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", http: http,
                                           configuredRegion: "", environment: ["HOME": "/nonexistent"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("registry 123456789012.dkr.ecr.eu-west-1.amazonaws.com uses helper ecr: no AWS credentials"), text)
            XCTAssertTrue(text.contains("AWS_ACCESS_KEY_ID") && text.contains("username / password"), text)
        }
    }

    func testAccessKeyFromTheRegistryEntryNeedsNoEnvironment() async throws {
        let moto = try moto()
        let helper = try ECRHelper(registry: "127.0.0.1:5000", http: http, configuredRegion: "us-east-1",
                                   accessKey: AWSCredentials(accessKeyID: "AKIDCONFIG", secretAccessKey: "config-secret"),
                                   environment: ["AWS_ENDPOINT_URL_ECR": moto.endpoint.absoluteString, "HOME": "/nonexistent"])
        let authorization = try await helper.authorization()
        XCTAssertEqual(authorization.username, "AWS")
    }
}
