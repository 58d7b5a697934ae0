import AWS
import Buckets
import Config
@testable import Sync
import XCTest

/// Where a bucket target's credentials and endpoint come from, first found first.
final class BucketSettingsTests: XCTestCase {
    private let address = BucketAddress(provider: .r2, location: "acct", bucket: "images")
    private let environment = ["AWS_ACCESS_KEY_ID": "env-id", "AWS_SECRET_ACCESS_KEY": "env-secret",
                               "AWS_ENDPOINT_URL": "http://generic:9000", "AWS_ENDPOINT_URL_S3": "http://s3-only:9000"]

    private func config(entryURL: String = "r2:acct:images", username: String = "entry-id", endpoint: String? = nil) -> Config {
        var config = Config()
        config.sync.registries = [RegistryConfig(name: "R2", url: entryURL,
                                                 auth: RegistryAuth(username: username, password: "entry-secret"), endpoint: endpoint)]
        return config
    }

    func testTheRegistryEntryOfTheBucketWinsOverTheEnvironment() {
        let settings = BucketTargets.settings(for: address, config: config(endpoint: "http://entry:9000"), overrides: [],
                                              environment: environment)
        XCTAssertEqual(settings.credentials, AWSCredentials(accessKeyID: "entry-id", secretAccessKey: "entry-secret"))
        XCTAssertEqual(settings.endpoint, "http://entry:9000")
    }

    func testCommandLineTargetCredentialsWinOverTheEntry() {
        let override = RegistryOverride(role: .target, auth: RegistryAuth(username: "cli-id", password: "cli-secret"), insecure: false)
        let settings = BucketTargets.settings(for: address, config: config(), overrides: [override], environment: environment)
        XCTAssertEqual(settings.credentials?.accessKeyID, "cli-id")
    }

    func testWithoutAnEntryTheAWSVariablesApply() {
        let settings = BucketTargets.settings(for: address, config: config(entryURL: "r2:acct:other"), overrides: [],
                                              environment: environment)
        XCTAssertEqual(settings.credentials, AWSCredentials(accessKeyID: "env-id", secretAccessKey: "env-secret"))
        XCTAssertEqual(settings.endpoint, "http://s3-only:9000", "AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL")
        let generic = BucketTargets.settings(for: address, config: Config(), overrides: [],
                                             environment: environment.filter { $0.key != "AWS_ENDPOINT_URL_S3" })
        XCTAssertEqual(generic.endpoint, "http://generic:9000")
        let none = BucketTargets.settings(for: address, config: Config(), overrides: [], environment: [:])
        XCTAssertNil(none.credentials)
        XCTAssertNil(none.endpoint, "the provider's own endpoint")
    }

    func testAPlainHTTPEndpointIsAllowedForItsHost() {
        let hosts = BucketTargets.hostOptions(config: config(endpoint: "http://minio.internal:9000"))
        XCTAssertEqual(hosts["minio.internal:9000"]?.plainHTTP, true)
        XCTAssertEqual(BucketTargets.hostOptions(config: config(endpoint: "https://minio.internal")), [:])
    }

    func testBucketSourcesAndMalformedTargetsAreBadInput() {
        XCTAssertThrowsError(try ImageSpec.validated(ImageSpec(source: "s3:us-east-1:b:app", targets: ["localhost:5000/app"]))) {
            XCTAssertTrue("\($0)".contains("can only be a target"), "\($0)")
        }
        XCTAssertThrowsError(try ImageSpec.validated(ImageSpec(source: "localhost:5000/app", targets: ["r2:acct:images"]))) {
            XCTAssertTrue("\($0)".contains("r2:<account>:<bucket>:<image>"), "\($0)")
        }
    }
}
