import XCTest
@testable import Config

final class RegistryConfigTests: XCTestCase {
    private var sync: SyncConfig {
        var sync = SyncConfig()
        sync.registries = [
            RegistryConfig(name: "Docker Hub", url: "docker.io"),
            RegistryConfig(name: "GHCR", url: "ghcr.io"),
            RegistryConfig(name: "GHCR org", url: "ghcr.io/org"),
            RegistryConfig(name: "R2", url: "r2:acct:bucket"),
            RegistryConfig(name: "S3", url: "s3:us-east-1:bucket"),
            RegistryConfig(name: "Local", url: "http://localhost:5000/"),
        ]
        return sync
    }

    func testLongestURLPrefixOnASegmentBoundaryWins() {
        XCTAssertEqual(sync.registry(forImage: "docker.io/library/ubuntu")?.name, "Docker Hub")
        XCTAssertEqual(sync.registry(forImage: "ghcr.io/org/app")?.name, "GHCR org")
        XCTAssertEqual(sync.registry(forImage: "ghcr.io/other/app")?.name, "GHCR")
        XCTAssertEqual(sync.registry(forImage: "ghcr.io/organisation/app")?.name, "GHCR")
        XCTAssertEqual(sync.registry(forImage: "r2:acct:bucket:img")?.name, "R2")
        XCTAssertEqual(sync.registry(forImage: "s3:us-east-1:bucket:img")?.name, "S3")
        XCTAssertEqual(sync.registry(forImage: "localhost:5000/team/app")?.name, "Local")
        XCTAssertEqual(sync.registry(forImage: "docker.io")?.name, "Docker Hub")
    }

    func testNoMatchAcrossAPartialSegment() {
        XCTAssertNil(sync.registry(forImage: "docker.iox/library/ubuntu"))
        XCTAssertNil(sync.registry(forImage: "r2:acct:bucket2:img"))
        XCTAssertNil(sync.registry(forImage: "quay.io/x/y"))
        var plain = SyncConfig()
        plain.registries = [RegistryConfig(name: "host", url: "localhost")]
        XCTAssertNil(plain.registry(forImage: "localhost:5000/app"), "a port makes it another registry")
    }

    func testConfigForwardsTheLookup() throws {
        let config = try Config.parse(yaml: SeedConfigTests.readmeDefault, environment: [:]).config
        XCTAssertEqual(config.registry(forImage: "docker.io/library/ubuntu")?.name, "Docker Hub")
    }

    func testSecretsAreRedactedWhenPrinted() {
        let auth = RegistryAuth(username: "me", password: "hunter2", token: "tok-123", helper: "")
        let registry = RegistryConfig(name: "Hub", url: "docker.io", auth: auth)
        var dumped = ""
        dump(registry, to: &dumped)
        var config = Config()
        config.sync.registries = [registry]
        for text in [auth.description, auth.debugDescription, "\(auth)", String(reflecting: auth),
                     "\(registry)", String(reflecting: registry), dumped, "\(config)", "\([auth])"] {
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertFalse(text.contains("tok-123"), text)
        }
        XCTAssertEqual(auth.description, "RegistryAuth(username: \"me\", password: <redacted>, token: <redacted>, helper: \"\")")
        XCTAssertTrue(RegistryAuth().description.contains("password: \"\""))
        XCTAssertTrue(RegistryAuth().isAnonymous)
    }
}
