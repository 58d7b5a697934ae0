@testable import TestSupport
import XCTest

/// The Docker Hub token flow: registry challenge → token server → bearer JWT the registry accepts.
final class TokenAuthTests: XCTestCase {
    func testSkopeoCopiesIntoTokenAuthRegistryWithCredentials() throws {
        let tokens = try TokenServer.start(users: [.init(username: "pusher", password: "s3cret")])
        let target = try RegistryServer.start(auth: .token(tokens))
        let source = try RegistryServer.start()
        let pushed = try ImageSeeder(source).push(.ociIndex(layers: [4096]), repository: "library/app", tag: "1.0")

        try Skopeo.copy(from: "\(source.host)/library/app:1.0", to: "\(target.host)/mirror/app:1.0",
                        destinationCreds: target.credentials)

        XCTAssertEqual(try Skopeo.inspectDigest("\(target.host)/mirror/app:1.0", creds: target.credentials), pushed.digest)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/mirror/app", creds: target.credentials), ["1.0"])
        let requests = try tokens.requests()
        XCTAssertTrue(requests.contains { $0.user == "pusher" && $0.requestedActions(repository: "mirror/app").contains("push") })
        XCTAssertTrue(requests.allSatisfy { $0.service == tokens.service })
    }

    func testWrongPasswordIsRejectedByTheTokenServer() throws {
        let tokens = try TokenServer.start()
        let registry = try RegistryServer.start(auth: .token(tokens))
        XCTAssertThrowsError(try Skopeo.listTags("\(registry.host)/any/repo",
                                                 creds: RegistryLogin(username: "tester", password: "wrong")))
        XCTAssertTrue(try tokens.requests().contains { $0.user == "tester" && $0.status == 401 })
    }

    func testAnonymousPullOnlyPolicyGrantsPullAndRecordsTheScopesAsked() throws {
        let tokens = try TokenServer.start(anonymous: .pull)
        let registry = try RegistryServer.start(auth: .token(tokens))
        let pushed = try ImageSeeder(registry).push(.docker(layers: [1024]), repository: "public/tool", tag: "v2")
        try tokens.resetRequests()

        XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/public/tool:v2"), pushed.digest)
        let requests = try tokens.requests()
        XCTAssertFalse(requests.isEmpty)
        for request in requests {
            XCTAssertNil(request.user)
            XCTAssertEqual(request.requestedActions(repository: "public/tool"), ["pull"])
            XCTAssertEqual(request.granted, [TokenServer.Access(type: "repository", name: "public/tool", actions: ["pull"])])
        }
    }

    func testAnonymousWithoutAccessGetsAnEmptyTokenTheRegistryRefuses() throws {
        let tokens = try TokenServer.start(anonymous: .noAccess)
        let registry = try RegistryServer.start(auth: .token(tokens))
        try ImageSeeder(registry).push(.docker(layers: [1024]), repository: "private/tool", tag: "v1")
        XCTAssertThrowsError(try Skopeo.inspectDigest("\(registry.host)/private/tool:v1"))
        XCTAssertTrue(try tokens.requests().contains { $0.user == nil && $0.status == 200 && $0.granted.isEmpty })
    }

    func testPullOnlyUserIsNotGrantedPush() throws {
        let tokens = try TokenServer.start(users: [.init(username: "reader", password: "r", actions: ["pull"])])
        let token = try fetchToken(tokens, scope: "repository:some/repo:pull,push", user: "reader:r")
        XCTAssertEqual(try tokens.requests().last?.granted,
                       [TokenServer.Access(type: "repository", name: "some/repo", actions: ["pull"])])
        XCTAssertEqual(token.split(separator: ".").count, 3)
    }

    func testShortLivedTokenStopsWorkingAfterItsExpiry() throws {
        let tokens = try TokenServer.start(expiresIn: 1)
        let registry = try RegistryServer.start(auth: .token(tokens))
        let token = try fetchToken(tokens, scope: "repository:a/b:pull", user: "tester:secret")
        let bearer = ["Authorization": "Bearer \(token)"]
        XCTAssertEqual(try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/a/b/tags/list", headers: bearer).status, 404)
        // Expiry is a wall-clock event: poll for it rather than sleeping a guessed time.
        try waitUntil(timeout: 5) {
            try LoopbackHTTP.request("GET", port: registry.port, path: "/v2/a/b/tags/list", headers: bearer).status == 401
        }
    }

    private func fetchToken(_ tokens: TokenServer, scope: String, user: String) throws -> String {
        let basic = "Basic " + Data(user.utf8).base64EncodedString()
        let response = try LoopbackHTTP.request("GET", port: tokens.port,
                                                path: "/token?service=\(tokens.service)&scope=\(scope)",
                                                headers: ["Authorization": basic])
        XCTAssertEqual(response.status, 200)
        struct Token: Decodable { let token: String; let access_token: String; let expires_in: Int }
        let decoded = try JSONDecoder().decode(Token.self, from: response.body)
        XCTAssertEqual(decoded.token, decoded.access_token)
        XCTAssertEqual(decoded.expires_in, tokens.expiresIn)
        return decoded.token
    }
}
