import Config
import Foundation
import Sync
import TestSupport
import XCTest

/// Credentials from `sync.registries` (matched by `url`) reach the right registry, and bearer
/// tokens are asked for the least scope: pull on the source, pull,push on the target.
final class AuthSyncTests: XCTestCase {
    func testBasicAuthOnSourceAndTargetFromSyncRegistries() async throws {
        let source = try RegistryServer.start(auth: .htpasswd(username: "reader", password: "source-pass-7f3a"))
        let target = try RegistryServer.start(auth: .htpasswd(username: "writer", password: "target-pass-91c2"))
        try ImageSeeder(source).push(.dockerManifestList(layers: [256]), repository: "private/app", tag: "v1", seed: 600)
        let config = SyncHarness.config(registries: [
            RegistryConfig(name: "source", url: source.host, auth: RegistryAuth(username: "reader", password: "source-pass-7f3a")),
            RegistryConfig(name: "target", url: target.host, auth: RegistryAuth(username: "writer", password: "target-pass-91c2")),
        ])

        let report = try await SyncHarness.sync("\(source.host)/private/app", to: "\(target.host)/private/app", config: config)
        XCTAssertSucceeded(report, synced: 1)
        try assertSameDigest("\(source.host)/private/app:v1", "\(target.host)/private/app:v1",
                                sourceCreds: source.credentials, targetCreds: target.credentials)
    }

    func testWrongPasswordFailsWithAHintAndWithoutTheSecret() async throws {
        let source = try RegistryServer.start(auth: .htpasswd(username: "reader", password: "right-pass"))
        let target = try RegistryServer.start()
        try ImageSeeder(source).push(.oci(layers: [256]), repository: "private/app", tag: "v1", seed: 601)
        let config = SyncHarness.config(registries: [
            RegistryConfig(name: "source", url: source.host, auth: RegistryAuth(username: "reader", password: "wrong-pass-5d1e")),
        ])

        let report = try await SyncHarness.sync("\(source.host)/private/app", to: "\(target.host)/private/app", config: config)
        XCTAssertFalse(report.succeeded)
        let message = try XCTUnwrap(report.failures.first?.failure?.message)
        XCTAssertTrue(message.contains("401"), message)
        XCTAssertTrue(message.contains(source.host), message)
        XCTAssertFalse(report.summary.contains("wrong-pass-5d1e"), report.summary)
    }

    func testTokenAuthAsksPullOnTheSourceAndPullPushOnTheTarget() async throws {
        let tokens = try TokenServer.start(users: [TokenServer.User(username: "robot", password: "token-pass-2b8c")])
        let source = try RegistryServer.start(auth: .token(tokens))
        let target = try RegistryServer.start(auth: .token(tokens))
        try ImageSeeder(source).push(.ociIndex(layers: [256]), repository: "upstream/app", tag: "v1", seed: 602)
        try tokens.resetRequests()
        let robot = RegistryAuth(username: "robot", password: "token-pass-2b8c")
        let config = SyncHarness.config(registries: [
            RegistryConfig(name: "source", url: source.host, auth: robot),
            RegistryConfig(name: "target", url: target.host, auth: robot),
        ])

        let report = try await SyncHarness.sync("\(source.host)/upstream/app", to: "\(target.host)/mirror/app", config: config)
        XCTAssertSucceeded(report, synced: 1)
        let requests = try tokens.requests()  // before skopeo asks for its own tokens
        try assertSameDigest("\(source.host)/upstream/app:v1", "\(target.host)/mirror/app:v1",
                                sourceCreds: source.credentials, targetCreds: target.credentials)

        XCTAssertTrue(requests.allSatisfy { $0.status == 200 && $0.user == "robot" }, "\(requests.map(\.scopes))")
        let sourceActions = requests.map { $0.requestedActions(repository: "upstream/app") }.filter { !$0.isEmpty }
        let targetActions = requests.map { $0.requestedActions(repository: "mirror/app") }.filter { !$0.isEmpty }
        XCTAssertFalse(sourceActions.isEmpty, "a token was asked for the source")
        XCTAssertEqual(Set(sourceActions), [["pull"]], "the source is only read")
        XCTAssertEqual(Set(targetActions), [["pull", "push"]])
    }
}
