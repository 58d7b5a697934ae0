import Foundation
import TestSupport
import XCTest

/// `helper: ecr` through the `docker-sync` binary: moto issues the registry password (its ECR API),
/// a docker-registry with htpasswd user `AWS` and that password stands in for the ECR registry.
final class ECRHelperTests: XCTestCase {
    private struct Fixture {
        let moto: MotoServer
        /// Counts the ECR API calls docker-sync makes (all are `POST /`).
        let api: FaultProxy
        let source: RegistryServer
        let target: RegistryServer
        /// What moto issues for the caller's account (the target host names no account).
        let password: String

        init() throws {
            moto = try MotoServer.start(region: "eu-west-1")
            api = try FaultProxy.start(upstream: moto.host)
            source = try RegistryServer.start()
            password = try moto.issuedECRPassword()
            target = try RegistryServer.start(auth: .htpasswd(username: "AWS", password: password))
        }
    }

    private static let shared = SharedFixture { try Fixture() }
    private func fixture() throws -> Fixture { try Self.shared.get() }

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    private let awsSecret = "aws-secret-marker-5d41402a"
    /// Holds the configs written by a test until it ends.
    private let directory = try! TemporaryDirectory()

    /// AWS settings of a user with keys in the environment; empty values hide any of the test's own.
    private func awsEnvironment(_ fixture: Fixture, _ extra: [String: String] = [:]) -> [String: String] {
        ["AWS_ENDPOINT_URL_ECR": "http://\(fixture.api.host)", "AWS_ENDPOINT_URL": "",
         "AWS_ACCESS_KEY_ID": "AKIDINTEGRATION", "AWS_SECRET_ACCESS_KEY": awsSecret, "AWS_SESSION_TOKEN": "",
         "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_PROFILE": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": ""]
            .merging(extra) { $1 }
    }

    private func config(_ fixture: Fixture, helper: String = "ecr", region: String = "eu-west-1") throws -> String {
        try directory.write("config.yaml", """
            ecr:
              region: "\(region)"
            logging:
              level: debug
            sync:
              registries:
                - name: ECR stand-in
                  url: \(fixture.target.host)
                  insecure: true
                  auth:
                    helper: \(helper)
                    username: ""
                    password: ""
                    token: ""
            """)
    }

    func testSyncAuthenticatesWithTheIssuedPasswordAndCreatesTheRepository() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push([
            ImageSeeder.Image(repository: "ecr/app", tag: "1.0", kind: .docker(layers: [512]), seed: 900),
            ImageSeeder.Image(repository: "ecr/app", tag: "1.1", kind: .oci(layers: [512, 256]), seed: 901),
            ImageSeeder.Image(repository: "ecr/app", tag: "2.0", kind: .ociIndex(layers: [512]), seed: 902),
        ])
        try fixture.api.resetStats()
        XCTAssertFalse(try fixture.moto.hasECRRepository("ecr/app"), "no repository before the sync")

        let run = try DockerSyncBinary.run(["sync", "--config", try config(fixture), "-s", "\(fixture.source.host)/ecr/app",
                                            "-t", "\(fixture.target.host)/ecr/app"], environment: awsEnvironment(fixture))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("3 synced"), run.stdout)
        let login = RegistryLogin(username: "AWS", password: fixture.password)
        for tag in ["1.0", "1.1", "2.0"] {
            try assertSameDigest("\(fixture.source.host)/ecr/app:\(tag)", "\(fixture.target.host)/ecr/app:\(tag)", targetCreds: login)
        }
        XCTAssertTrue(try fixture.moto.hasECRRepository("ecr/app"), "the repository was created")
        XCTAssertEqual(try fixture.api.stats().count(method: "POST", pathContaining: "/"), 3,
                       "GetAuthorizationToken once for all tags, DescribeRepositories and CreateRepository once")
        XCTAssertTrue(run.output.contains("created ECR repository ecr/app"), run.output)
        assertNoSecret(in: run.output, fixture)
    }

    func testTargetHelperFlagTakesUsernameAndPasswordAsTheAccessKey() throws {
        let fixture = try fixture()
        try ImageSeeder(fixture.source).push(.docker(layers: [256]), repository: "ecr/flags", tag: "v1", seed: 903)
        var environment = awsEnvironment(fixture, ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        environment["DOCKER_SYNC_TARGET_PASSWORD"] = awsSecret
        // No --config, no `insecure`: a loopback registry is plain HTTP anyway.
        let run = try DockerSyncBinary.run(["sync", "-s", "\(fixture.source.host)/ecr/flags", "-t", "\(fixture.target.host)/ecr/flags",
                                            "--target-helper", "ecr", "--target-username", "AKIDFROMFLAG"], environment: environment)
        XCTAssertEqual(run.status, 0, run.output)
        try assertSameDigest("\(fixture.source.host)/ecr/flags:v1", "\(fixture.target.host)/ecr/flags:v1",
                             targetCreds: RegistryLogin(username: "AWS", password: fixture.password))
        // With no config, the region is ecr.region's default, us-east-1 (as the original's).
        XCTAssertTrue(try fixture.moto.hasECRRepository("ecr/flags", region: "us-east-1"))
        assertNoSecret(in: run.output, fixture)
    }

    func testPasswordTheRegistryRefusesFailsTheTagWithA401AndNoSecret() throws {
        let fixture = try fixture()
        let other = try RegistryServer.start(auth: .htpasswd(username: "AWS", password: "not-what-moto-issues"))
        defer { other.stop() }
        try ImageSeeder(fixture.source).push(.docker(layers: [256]), repository: "ecr/refused", tag: "v1", seed: 904)
        let config = try directory.write("config.yaml", """
            ecr: {region: eu-west-1}
            sync:
              retry: {attempts: 1}
              registries:
                - {name: refusing, url: "\(other.host)", auth: {helper: ecr}}
            """)
        let run = try DockerSyncBinary.run(["sync", "--config", config, "-s", "\(fixture.source.host)/ecr/refused",
                                            "-t", "\(other.host)/ecr/refused"], environment: awsEnvironment(fixture))
        XCTAssertEqual(run.status, 1, run.output)
        let failed = String(run.stdout.split(separator: "\n").first { $0.contains("FAILED") } ?? "")
        XCTAssertTrue(failed.contains("401") && failed.contains("check the credentials configured for \(other.host)"), run.output)
        assertNoSecret(in: run.output, fixture)
    }

    func testUnknownHelperIsAStartUpErrorNamingIt() throws {
        let fixture = try fixture()
        let stderr = try startUpError(fixture, config: try config(fixture, helper: "gcr"), environment: awsEnvironment(fixture))
        XCTAssertTrue(stderr.contains("unknown credential helper \"gcr\""), stderr)
        XCTAssertTrue(stderr.contains("ECR stand-in"), stderr)
    }

    func testMissingAWSCredentialsIsAStartUpErrorSayingWhatToSet() throws {
        let fixture = try fixture()
        let stderr = try startUpError(fixture, config: try config(fixture),
                                      environment: awsEnvironment(fixture, ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]))
        XCTAssertTrue(stderr.contains("registry \(fixture.target.host) uses helper ecr: no AWS credentials"), stderr)
        XCTAssertTrue(stderr.contains("AWS_ACCESS_KEY_ID") && stderr.contains(".aws/credentials"), stderr)
    }

    func testMissingRegionIsAStartUpErrorSayingWhatToSet() throws {
        let fixture = try fixture()
        let stderr = try startUpError(fixture, config: try config(fixture, region: ""), environment: awsEnvironment(fixture))
        XCTAssertTrue(stderr.contains("registry \(fixture.target.host) uses helper ecr, but no AWS region is known"), stderr)
        XCTAssertTrue(stderr.contains("ecr.region") && stderr.contains("AWS_REGION"), stderr)
    }

    /// Runs a sync that must stop before any work: exit 2, nothing on stdout; returns stderr.
    private func startUpError(_ fixture: Fixture, config: String, environment: [String: String],
                              file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let run = try DockerSyncBinary.run(["sync", "--config", config, "-s", "\(fixture.source.host)/ecr/app",
                                            "-t", "\(fixture.target.host)/ecr/never"], environment: environment)
        XCTAssertEqual(run.status, 2, run.output, file: file, line: line)
        XCTAssertEqual(run.stdout, "", file: file, line: line)
        XCTAssertTrue(run.stderr.hasPrefix("error: "), run.stderr, file: file, line: line)
        return run.stderr
    }

    private func assertNoSecret(in output: String, _ fixture: Fixture, file: StaticString = #filePath, line: UInt = #line) {
        let basic = Data("AWS:\(fixture.password)".utf8).base64EncodedString()
        for secret in [fixture.password, basic, awsSecret] {
            XCTAssertFalse(output.contains(secret), "\(secret) leaked into the output", file: file, line: line)
        }
    }
}
