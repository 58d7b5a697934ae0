import Foundation
import HTTP
import XCTest
@testable import OCI
import TestSupport

/// Short-lived credentials from a `CredentialHelper` (what `helper: ecr` plugs in), against real
/// registries: asked for lazily, once per registry, renewed when expired or refused, never shown.
final class HelperCredentialsTests: XCTestCase {
    /// Hands out the passwords it is given, one per call (the last one repeats), and records its calls.
    final class ScriptedHelper: CredentialHelper, @unchecked Sendable {
        private let lock = NSLock()
        private var passwords: [String]
        private let lifetime: TimeInterval
        private(set) var issued = 0
        private(set) var prepared: [String] = []

        init(passwords: [String], lifetime: TimeInterval = 3600) {
            self.passwords = passwords
            self.lifetime = lifetime
        }

        var name: String { "scripted" }

        func issueCredentials() async throws -> IssuedCredentials {
            lock.withLock {
                issued += 1
                let password = passwords.count > 1 ? passwords.removeFirst() : passwords[0]
                return IssuedCredentials(username: "AWS", password: password, renewAt: Date().addingTimeInterval(lifetime))
            }
        }

        func prepareForPush(repository: String) async throws {
            lock.withLock { prepared.append(repository) }
        }

        var calls: (issued: Int, prepared: [String]) { lock.withLock { (issued, prepared) } }
    }

    private func basicRegistry(password: String) throws -> RegistryServer {
        try RegistryServer.start(auth: .htpasswd(username: "AWS", password: password))
    }

    func testOnePushAsksTheHelperOnceAndPreparesTheRepositoryBeforeWriting() async throws {
        let registry = try basicRegistry(password: "issued-pw-1")
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["issued-pw-1"])
        let client = Live.client(registry.host, credentials: .helper(HelperCredentials(helper: helper)))
        let manifest = try await Live.pushImage(client, repository: "ecr/app", tag: "v1")
        try await Live.pushImage(client, repository: "ecr/app", tag: "v2", seed: 2)
        let head = try await client.headManifest(repository: "ecr/app", reference: "v1")

        XCTAssertEqual(head?.digest, manifest.digest)
        XCTAssertEqual(helper.calls.issued, 1, "the credentials are cached for the whole run")
        XCTAssertEqual(Set(helper.calls.prepared), ["ecr/app"])
        XCTAssertEqual(registry.accessLog().filter { $0.status == 401 && $0.path != "/v2/" }.count, 1,
                       "after the first challenge, the helper's credentials go with every request")
    }

    func testClientsOfOneRegistrySharingTheSourceAskOnce() async throws {
        let registry = try basicRegistry(password: "shared-pw")
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["shared-pw"])
        let source = HelperCredentials(helper: helper)
        let clients = (0..<4).map { _ in Live.client(registry.host, credentials: .helper(source)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, client) in clients.enumerated() {
                group.addTask { try await Live.pushImage(client, repository: "ecr/shared\(i)", tag: "v1", seed: UInt64(10 + i)) }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(helper.calls.issued, 1)
        let fetches = await source.fetches
        XCTAssertEqual(fetches, 1)
    }

    func testRefusedCredentialsAreRenewedOnceAndTheRequestSucceeds() async throws {
        let registry = try basicRegistry(password: "fresh-pw")
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["stale-pw", "fresh-pw"])
        let credentials = HelperCredentials(helper: helper, minimumRefetchInterval: 0)
        let client = Live.client(registry.host, credentials: .helper(credentials))
        let manifest = try await Live.pushImage(client, repository: "ecr/renewed", tag: "v1")
        let head = try await client.headManifest(repository: "ecr/renewed", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)
        XCTAssertEqual(helper.calls.issued, 2, "one renewal after the refusal, then the fresh password is kept")
    }

    func testCredentialsTheHelperJustIssuedAreNotRefetchedWhenRefused() async throws {
        let registry = try basicRegistry(password: "right-pw")
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["wrong-helper-pw"])
        let client = Live.client(registry.host, credentials: .helper(HelperCredentials(helper: helper)))
        for _ in 0..<3 {
            let error = await Live.error { try await client.listTags(repository: "ecr/denied") }
            XCTAssertEqual((error as? RegistryError)?.status, 401, "\(String(describing: error))")
            XCTAssertFalse("\(String(describing: error))".contains("wrong-helper-pw"))
        }
        XCTAssertEqual(helper.calls.issued, 1, "a password refused right after it was issued is wrong, not stale")
    }

    func testExpiredCredentialsAreRenewedBeforeTheNextRequest() async throws {
        let registry = try basicRegistry(password: "short-pw")
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["short-pw"], lifetime: 0)
        let client = Live.client(registry.host, credentials: .helper(HelperCredentials(helper: helper)))
        try await Live.pushImage(client, repository: "ecr/short", tag: "v1")
        let before = helper.calls.issued
        _ = try await client.headManifest(repository: "ecr/short", reference: "v1")
        XCTAssertGreaterThan(helper.calls.issued, before, "credentials past renewAt are not sent again")
    }

    /// Issues one password due for renewal at once (renewAt is the expiry minus a margin), then fails
    /// as ECR's GetAuthorizationToken does when throttled or unreachable.
    final class FailingRenewalHelper: CredentialHelper, @unchecked Sendable {
        struct Unavailable: Error {}
        private let lock = NSLock()
        private var count = 0
        let password: String
        init(password: String) { self.password = password }
        var name: String { "failing-renewal" }
        var issued: Int { lock.withLock { count } }

        func issueCredentials() async throws -> IssuedCredentials {
            try lock.withLock {
                count += 1
                guard count == 1 else { throw Unavailable() }
                return IssuedCredentials(username: "AWS", password: password, renewAt: Date())
            }
        }
    }

    /// A renewal that fails inside the margin before the expiry keeps the password in hand (the
    /// registry still takes it) instead of failing every request, and is not retried by every
    /// request of a busy sync: one more try per `minimumRefetchInterval`.
    func testAFailedRenewalKeepsTheValidPasswordAndIsNotRetriedByEveryRequest() async throws {
        let registry = try basicRegistry(password: "still-valid-pw")
        defer { registry.stop() }
        let helper = FailingRenewalHelper(password: "still-valid-pw")
        let client = Live.client(registry.host, credentials: .helper(HelperCredentials(helper: helper)))
        let manifest = try await Live.pushImage(client, repository: "ecr/renewal", tag: "v1")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let head = try await client.headManifest(repository: "ecr/renewal", reference: "v1")
                    XCTAssertEqual(head?.digest, manifest.digest)
                }
            }
            try await group.waitForAll()
        }
        _ = try await client.listTags(repository: "ecr/renewal")
        XCTAssertEqual(helper.issued, 2, "one failed renewal, then the password in hand until the next try is due")
    }

    /// A registry that lets anyone in, behind a proxy whose first answer is a Basic challenge, so
    /// that the client sends the helper's credentials from then on; `faults` come after it.
    private func challengingProxy(_ registry: RegistryServer, then faults: [FaultRule]) throws -> FaultProxy {
        try FaultProxy.start(upstream: registry, faults: [
            .status(401, path: "/v2/", times: 1, headers: ["WWW-Authenticate": "Basic realm=\"ecr\""], name: "challenge"),
        ] + faults)
    }

    /// ECR refuses an expired password with `403 DENIED: Your authorization token has expired`.
    func testCredentialsDeniedWith403AreRenewedOnceAndTheRequestRetried() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        let expired = #"{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}"#
        let proxy = try challengingProxy(registry, then: [
            .status(403, methods: ["GET"], path: "/tags/list", times: 1, body: Data(expired.utf8), name: "expired"),
        ])
        let helper = ScriptedHelper(passwords: ["expired-pw", "renewed-pw"])
        let client = Live.client(proxy.host, credentials: .helper(HelperCredentials(helper: helper, minimumRefetchInterval: 0)))
        try await Live.pushImage(client, repository: "ecr/expired", tag: "v1")

        let tags = try await client.listTags(repository: "ecr/expired")
        XCTAssertEqual(tags, ["v1"])
        XCTAssertEqual(try proxy.stats().faultCount("expired"), 1)
        XCTAssertEqual(helper.calls.issued, 2, "renewed once after the 403")
    }

    func testA403ToFreshCredentialsIsNotRetried() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        let proxy = try challengingProxy(registry, then: [.status(403, methods: ["GET"], path: "/tags/list", name: "denied")])
        let helper = ScriptedHelper(passwords: ["fresh-pw", "other-pw"])
        let client = Live.client(proxy.host, credentials: .helper(HelperCredentials(helper: helper)))
        let error = await Live.error { try await client.listTags(repository: "ecr/denied") }
        XCTAssertEqual((error as? RegistryError)?.status, 403, "\(String(describing: error))")
        XCTAssertEqual(try proxy.stats().faultCount("denied"), 1)
        XCTAssertEqual(helper.calls.issued, 1, "a password denied right after it was issued lacks permission; it is not stale")
    }

    func testHelperCredentialsGoToTheTokenEndpointOfABearerRegistry() async throws {
        let tokens = try TokenServer.start(users: [TokenServer.User(username: "AWS", password: "token-pw")])
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let helper = ScriptedHelper(passwords: ["stale-token-pw", "token-pw"])
        let client = Live.client(registry.host, credentials: .helper(HelperCredentials(helper: helper, minimumRefetchInterval: 0)))
        let manifest = try await Live.pushImage(client, repository: "ecr/bearer", tag: "v1")
        let head = try await client.headManifest(repository: "ecr/bearer", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)
        XCTAssertEqual(helper.calls.issued, 2, "refused at the token endpoint, renewed once")
        XCTAssertTrue(try tokens.requests().contains { $0.user == "AWS" && $0.status == 200 })
    }

    func testPrintingHelperCredentialsShowsNoPassword() {
        let issued = IssuedCredentials(username: "AWS", password: "hush-issued-pw", renewAt: Date())
        let credentials = OCI.RegistryCredentials.helper(HelperCredentials(helper: ScriptedHelper(passwords: ["hush-pw"])))
        for text in ["\(issued)", String(reflecting: issued), "\(credentials)", String(reflecting: credentials)] {
            XCTAssertFalse(text.contains("hush"), text)
        }
        var dumped = ""
        dump(issued, to: &dumped)
        XCTAssertFalse(dumped.contains("hush"), dumped)
        XCTAssertEqual("\(credentials)", "helper(scripted)")
    }
}
