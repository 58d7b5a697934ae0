import Config
import Foundation
import Logging
import OCI
@testable import Sync
import XCTest

/// How `auth.helper` entries become credentials at start-up: one shared source per registry, and
/// a clear error for every combination that cannot work. No AWS call is made here.
final class CredentialHelperSetupTests: XCTestCase {
    let keys = ["AWS_ACCESS_KEY_ID": "AKIDSETUP", "AWS_SECRET_ACCESS_KEY": "setup-secret", "HOME": "/nonexistent"]
    let ecrHost = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

    private func setup(_ registries: [RegistryConfig], images: [ImageSpec]? = nil, overrides: [RegistryOverride] = [],
                       environment: [String: String]? = nil) throws -> SyncSetup {
        var config = Config()
        config.sync.registries = registries
        return try SyncSetup(config: config, images: images, overrides: overrides, environment: environment ?? keys,
                             logger: Logger(label: "test"))
    }

    private func credentials(_ setup: SyncSetup, _ reference: String, _ role: Registries.Role) throws -> OCI.RegistryCredentials {
        setup.registries.settings(try ImageReference(reference), role).credentials
    }

    func testOneSharedSourceServesEveryRepositoryAndRoleOfTheRegistry() throws {
        let setup = try setup([RegistryConfig(name: "ECR", url: ecrHost, auth: RegistryAuth(helper: "ecr"))])
        let target = try credentials(setup, "\(ecrHost)/team/app", .target)
        guard case .helper = target else { return XCTFail("\(target)") }
        XCTAssertEqual(try credentials(setup, "\(ecrHost)/other/repo", .target), target)
        XCTAssertEqual(try credentials(setup, "\(ecrHost)/team/app", .source), target)
        XCTAssertEqual("\(target)", "helper(ecr)")
        XCTAssertEqual(try credentials(setup, "docker.io/library/alpine", .source), .anonymous)
    }

    func testTargetHelperFlagAppliesToTheTargetsHostsOnly() throws {
        let image = ImageSpec(source: "docker.io/library/alpine", targets: ["\(ecrHost)/mirror/alpine"])
        let override = RegistryOverride(role: .target, auth: RegistryAuth(helper: "ecr"), insecure: false)
        let setup = try setup([], images: [image], overrides: [override])
        guard case .helper = try credentials(setup, "\(ecrHost)/mirror/alpine", .target) else { return XCTFail("no helper") }
        XCTAssertEqual(try credentials(setup, "docker.io/library/alpine", .source), .anonymous)
    }

    func testECRPublicWithTheHelperGetsHelperCredentialsForPullsToo() throws {
        let setup = try setup([RegistryConfig(name: "ECR Public", url: "public.ecr.aws", auth: RegistryAuth(helper: "ecr"))])
        let source = try credentials(setup, "public.ecr.aws/docker/library/alpine", .source)
        guard case .helper = source else { return XCTFail("anonymous pulls get ECR Public's lower rate limit: \(source)") }
        XCTAssertEqual(try credentials(setup, "public.ecr.aws/my-alias/app", .target), source)
    }

    func testSourceHelperFlagCoversAnECRPublicSource() throws {
        let image = ImageSpec(source: "public.ecr.aws/docker/library/alpine", targets: ["\(ecrHost)/mirror/alpine"])
        let override = RegistryOverride(role: .source, auth: RegistryAuth(helper: "ecr"), insecure: false)
        let setup = try setup([], images: [image], overrides: [override])
        guard case .helper = try credentials(setup, "public.ecr.aws/docker/library/alpine", .source) else {
            return XCTFail("no helper for the source")
        }
    }

    func testECRPublicWithoutAWSCredentialsStopsTheStartUp() {
        let registry = RegistryConfig(name: "ECR Public", url: "public.ecr.aws", auth: RegistryAuth(helper: "ecr"))
        XCTAssertThrowsError(try setup([registry], environment: ["HOME": "/nonexistent"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("registry public.ecr.aws uses helper ecr: no AWS credentials"), "\(error)")
        }
    }

    func testUnknownHelperNamesTheRegistryAndTheHelper() {
        XCTAssertThrowsError(try setup([RegistryConfig(name: "GCR", url: "gcr.io", auth: RegistryAuth(helper: "gcloud"))])) { error in
            XCTAssertEqual("\(error)", "registry \"GCR\" (gcr.io): unknown credential helper \"gcloud\"; the only helper is \"ecr\" "
                + "(leave helper empty to use username / password / token)")
        }
        let image = ImageSpec(source: "docker.io/library/alpine", targets: ["\(ecrHost)/a"])
        let override = RegistryOverride(role: .target, auth: RegistryAuth(helper: "ECR-login"), insecure: false)
        XCTAssertThrowsError(try setup([], images: [image], overrides: [override])) { error in
            XCTAssertTrue("\(error)".hasPrefix("--target-helper for \(ecrHost): unknown credential helper \"ECR-login\""), "\(error)")
        }
    }

    func testHelperWithATokenOrHalfAnAccessKeyIsRefused() {
        for auth in [RegistryAuth(token: "t", helper: "ecr"), RegistryAuth(username: "AKIDONLY", helper: "ecr"),
                     RegistryAuth(password: "secret-only-8c1", helper: "ecr")] {
            XCTAssertThrowsError(try setup([RegistryConfig(name: "ECR", url: ecrHost, auth: auth)]), "\(auth)") { error in
                XCTAssertTrue("\(error)".contains("set username and password together"), "\(error)")
                XCTAssertFalse("\(error)".contains("secret-only-8c1"), "\(error)")
            }
        }
    }

    func testUsernameAndPasswordAreTheAccessKeySoNoEnvironmentIsNeeded() throws {
        let auth = RegistryAuth(username: "AKIDENTRY", password: "entry-secret", helper: "ecr")
        let setup = try setup([RegistryConfig(name: "ECR", url: ecrHost, auth: auth)], environment: ["HOME": "/nonexistent"])
        guard case .helper = try credentials(setup, "\(ecrHost)/app", .target) else { return XCTFail("no helper") }
    }

    func testMissingCredentialsNameTheRegistryHost() {
        let registry = RegistryConfig(name: "ECR", url: "https://\(ecrHost)/team", auth: RegistryAuth(helper: "ecr"))
        XCTAssertThrowsError(try setup([registry], environment: ["HOME": "/nonexistent"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("registry \(ecrHost) uses helper ecr: no AWS credentials"), "\(error)")
        }
    }
}
