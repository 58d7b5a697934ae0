import Foundation
import HTTP
import XCTest
@testable import OCI
import TestSupport

/// Basic (htpasswd) and Bearer token (Docker Hub style) authentication against real registries.
final class RegistryAuthTests: XCTestCase {
    func testBasicAuthWithHtpasswd() async throws {
        let registry = try RegistryServer.start(auth: .htpasswd(username: "alice", password: "s3cret-pw"))
        defer { registry.stop() }
        let client = Live.client(registry.host, credentials: .basic(username: "alice", password: "s3cret-pw"))
        let manifest = try await Live.pushImage(client, repository: "private/app", tag: "v1")
        let head = try await client.headManifest(repository: "private/app", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)
        XCTAssertEqual(registry.accessLog().filter { $0.status == 401 && $0.path != "/v2/" }.count, 1,
                       "after the first challenge, Basic credentials go with every request")
    }

    func testWrongPasswordIsFatalAndNeverShown() async throws {
        let registry = try RegistryServer.start(auth: .htpasswd(username: "alice", password: "s3cret-pw"))
        defer { registry.stop() }
        let client = Live.client(registry.host, credentials: .basic(username: "alice", password: "wrong-pw-123"))
        let error = await Live.error { try await client.headManifest(repository: "private/app", reference: "v1") }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 401)
        XCTAssertEqual(registryError.classification, .fatal)
        XCTAssertTrue(registryError.description.contains("check the credentials configured for \(registry.host)"))
        XCTAssertFalse("\(registryError)".contains("wrong-pw-123"))
        XCTAssertFalse(String(reflecting: registryError).contains("wrong-pw-123"))
        XCTAssertFalse("\(registryError)".contains("d3JvbmctcHctMTIz"), "nor its base64")
    }

    func testAnonymousClientOfABasicRegistryGetsAClear401() async throws {
        let registry = try RegistryServer.start(auth: .htpasswd(username: "alice", password: "pw"))
        defer { registry.stop() }
        let error = await Live.error { try await Live.client(registry.host).listTags(repository: "x") }
        XCTAssertEqual((error as? RegistryError)?.status, 401, "\(String(describing: error))")
    }

    func testTokenScopesArePullForSourcesAndPullPushForTargets() async throws {
        let tokens = try TokenServer.start()
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let credentials = OCI.RegistryCredentials.basic(username: "tester", password: "secret")

        let target = Live.client(registry.host, credentials: credentials, access: .pullPush)
        let manifest = try await Live.pushImage(target, repository: "lib/app", tag: "v1")
        let pushRequests = try tokens.requests()
        XCTAssertFalse(pushRequests.isEmpty)
        XCTAssertTrue(pushRequests.allSatisfy { $0.user == "tester" && $0.status == 200 })
        XCTAssertEqual(Set(pushRequests.map { $0.requestedActions(repository: "lib/app") }), [["pull", "push"]])
        // One token serves the push's requests, whichever request met the first challenge (a HEAD's
        // challenge names pull only; it merges into our pull,push instead of keying a second token).
        XCTAssertEqual(pushRequests.count, 1, "tokens are shared across the push's requests")

        try tokens.resetRequests()
        let source = Live.client(registry.host, credentials: credentials, access: .pull)
        let fetched = try await source.getManifest(repository: "lib/app", reference: "v1")
        XCTAssertEqual(fetched.digest, manifest.digest)
        let layer = try ParsedManifest(fetched).layers[0]
        let sink = CollectingSink()
        try await source.getBlob(repository: "lib/app", digest: layer.digest, size: layer.size, into: sink)
        XCTAssertEqual(Digest.sha256(of: sink.bytes), layer.digest)
        let pullRequests = try tokens.requests()
        XCTAssertEqual(pullRequests.map { $0.requestedActions(repository: "lib/app") }, [["pull"]])
    }

    func testMountAsksForPullOnTheSourceRepository() async throws {
        let tokens = try TokenServer.start()
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let client = Live.client(registry.host, credentials: .basic(username: "tester", password: "secret"))
        let manifest = try await Live.pushImage(client, repository: "from/repo", tag: "v1")
        try tokens.resetRequests()
        let layer = try ParsedManifest(manifest).layers[0]
        let mounted = try await client.mountBlob(repository: "to/repo", digest: layer.digest, from: "from/repo")
        XCTAssertTrue(mounted)
        let request = try XCTUnwrap(try tokens.requests().last)
        XCTAssertEqual(request.requestedActions(repository: "to/repo"), ["pull", "push"])
        XCTAssertEqual(request.requestedActions(repository: "from/repo"), ["pull"])
    }

    func testAnonymousTokensReadPublicContentButCannotPush() async throws {
        let tokens = try TokenServer.start(anonymous: .pull)
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let owner = Live.client(registry.host, credentials: .basic(username: "tester", password: "secret"))
        let manifest = try await Live.pushImage(owner, repository: "public/app", tag: "v1")

        let anonymous = Live.client(registry.host, access: .pull)
        let head = try await anonymous.headManifest(repository: "public/app", reference: "v1")
        XCTAssertEqual(head?.digest, manifest.digest)

        let pusher = Live.client(registry.host, access: .pullPush)
        let error = await Live.error { try await pusher.pushBlob(repository: "public/app", bytes: Array("x".utf8)) }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 401)
        XCTAssertEqual(registryError.classification, .fatal)
    }

    func testBadCredentialsAtTheTokenEndpointAreFatal() async throws {
        let tokens = try TokenServer.start()
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let client = Live.client(registry.host, credentials: .basic(username: "tester", password: "not-the-secret"))
        let error = await Live.error { try await client.listTags(repository: "any") }
        let registryError = try XCTUnwrap(error as? RegistryError, "\(String(describing: error))")
        XCTAssertEqual(registryError.status, 401)
        XCTAssertEqual(registryError.classification, .fatal)
        XCTAssertTrue(registryError.path.hasSuffix("/token"), registryError.description)
        XCTAssertFalse(registryError.description.contains("not-the-secret"))
    }

    func testExpiredTokensAreRenewed() async throws {
        let tokens = try TokenServer.start(expiresIn: 2)
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        let client = Live.client(registry.host, credentials: .basic(username: "tester", password: "secret"))
        try await Live.pushImage(client, repository: "short/lived", tag: "v1")
        // On a loaded machine the push itself may outlast a 2 s token: count from here.
        let before = try tokens.requests().count
        XCTAssertGreaterThanOrEqual(before, 1)
        try await Task.sleep(nanoseconds: 2_500_000_000)
        let tags = try await client.listTags(repository: "short/lived")
        XCTAssertEqual(tags, ["v1"])
        XCTAssertEqual(try tokens.requests().count, before + 1, "the expired token was replaced before use")
    }

    func testConfiguredTokenIsSentAsABearerToken() async throws {
        let tokens = try TokenServer.start()
        defer { tokens.stop() }
        let registry = try RegistryServer.start(auth: .token(tokens))
        defer { registry.stop() }
        // Get a token the way a user would, outside docker-sync.
        let url = "\(tokens.realm)?service=\(tokens.service)&scope=repository:tok/app:pull,push"
        var headers = HTTPHeaders()
        headers.set("Authorization", OCI.RegistryCredentials.basic(username: "tester", password: "secret").basicAuthorization)
        let response = try await Live.http.send(HTTPRequest(url: url, headers: headers))
        struct Token: Decodable { let token: String }
        let token = try JSONDecoder().decode(Token.self, from: Data(response.body)).token
        try tokens.resetRequests()

        let client = Live.client(registry.host, credentials: .bearer(token: token))
        try await Live.pushImage(client, repository: "tok/app", tag: "v1")
        let tags = try await client.listTags(repository: "tok/app")
        XCTAssertEqual(tags, ["v1"])
        XCTAssertEqual(try tokens.requests().count, 0, "a configured token is used as is")
    }
}
