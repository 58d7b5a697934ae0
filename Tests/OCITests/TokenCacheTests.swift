import Foundation
import XCTest
@testable import OCI

final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current += seconds } }
}

final class TokenCacheTests: XCTestCase {
    let key = TokenCache.Key(realm: "https://auth/token", service: "reg", scopes: ["repository:a:pull"])

    func testTokensAreReusedUntilShortlyBeforeTheyExpire() async throws {
        let clock = Clock()
        let cache = TokenCache(now: { clock.now })
        let fetches = Counter()
        let fetch: TokenCache.Fetch = { TokenCache.Grant(token: "t\(fetches.next())", expiresIn: 60) }
        let first = try await cache.token(for: key, fetch: fetch)
        clock.advance(40)
        let second = try await cache.token(for: key, fetch: fetch)
        XCTAssertEqual(first, "t1")
        XCTAssertEqual(second, "t1")
        clock.advance(6)  // 46 s: past 60 − 15 s margin
        let third = try await cache.token(for: key, fetch: fetch)
        XCTAssertEqual(third, "t2")
    }

    func testARejectedTokenIsReplaced() async throws {
        let cache = TokenCache()
        let fetches = Counter()
        let fetch: TokenCache.Fetch = { TokenCache.Grant(token: "t\(fetches.next())", expiresIn: 300) }
        _ = try await cache.token(for: key, fetch: fetch)
        let unaffected = try await cache.token(for: key, rejecting: "other", fetch: fetch)
        XCTAssertEqual(unaffected, "t1", "a token rejected earlier and already replaced is not refetched")
        let replaced = try await cache.token(for: key, rejecting: "t1", fetch: fetch)
        XCTAssertEqual(replaced, "t2")
    }

    func testScopesAreOneKeyInAnyOrderAndConcurrentFetchesAreShared() async throws {
        let cache = TokenCache()
        let fetches = Counter()
        let fetch: TokenCache.Fetch = {
            try await Task.sleep(nanoseconds: 50_000_000)
            return TokenCache.Grant(token: "t\(fetches.next())", expiresIn: 300)
        }
        let a = TokenCache.Key(realm: "r", service: nil, scopes: ["x", "y"])
        let b = TokenCache.Key(realm: "r", service: nil, scopes: ["y", "x", "y"])
        XCTAssertEqual(a, b)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { try await cache.token(for: a, fetch: fetch) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(tokens), ["t1"])
        XCTAssertEqual(fetches.count, 1)
    }

    func testLifetimeMargin() {
        XCTAssertEqual(TokenCache.lifetime(60), 45)
        XCTAssertEqual(TokenCache.lifetime(300), 270)
        XCTAssertEqual(TokenCache.lifetime(0), 0)
    }

    func testTokenURL() {
        let url = Authenticator.tokenURL(TokenCache.Key(realm: "https://auth.docker.io/token", service: "registry.docker.io",
                                                        scopes: ["repository:library/ubuntu:pull"]))
        XCTAssertEqual(url, "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fubuntu%3Apull")
        let withQuery = Authenticator.tokenURL(TokenCache.Key(realm: "https://h/t?a=b", service: nil, scopes: ["s"]))
        XCTAssertEqual(withQuery, "https://h/t?a=b&scope=s")
    }

    func testAChallengeScopeMergesIntoOursPerResource() {
        XCTAssertEqual(Authenticator.merge(["repository:a:pull,push"], "repository:a:pull repository:b:pull"),
                       ["repository:a:pull,push", "repository:b:pull"])
        XCTAssertEqual(Authenticator.merge(["repository:a:pull"], "repository:a:push"), ["repository:a:pull,push"])
        XCTAssertEqual(Authenticator.merge(["repository:a:pull"], nil), ["repository:a:pull"])
        XCTAssertEqual(Authenticator.merge(["repository:host:5000/a:pull"], "repository:host:5000/a:pull,push"),
                       ["repository:host:5000/a:pull,push"])
        XCTAssertEqual(Authenticator.merge(["registry:catalog:*"], "odd"), ["registry:catalog:*", "odd"])
    }
}

final class LinkTests: XCTestCase {
    func testNextLinkIsFound() {
        XCTAssertEqual(RegistryClient.nextLink(["Link": #"</v2/foo/tags/list?last=b&n=2>; rel="next""#]),
                       "/v2/foo/tags/list?last=b&n=2")
        XCTAssertEqual(RegistryClient.nextLink(["Link": #"<https://x/prev>; rel="prev", <https://x/next>; rel=next"#]), "https://x/next")
        XCTAssertNil(RegistryClient.nextLink(["Link": #"<https://x/prev>; rel="prev""#]))
        XCTAssertNil(RegistryClient.nextLink([:]))
    }

    func testLocationsResolveAgainstTheRequest() {
        let base = "http://127.0.0.1:5000/v2/foo/blobs/uploads/?mount=x"
        XCTAssertEqual(RegistryClient.resolve("/v2/foo/blobs/uploads/abc?_state=s", against: base),
                       "http://127.0.0.1:5000/v2/foo/blobs/uploads/abc?_state=s")
        XCTAssertEqual(RegistryClient.resolve("https://other/upload?x=1", against: base), "https://other/upload?x=1")
        XCTAssertEqual(RegistryClient.resolve("abc", against: base), "http://127.0.0.1:5000/v2/foo/blobs/uploads/abc")
        XCTAssertEqual(RegistryClient.resolve("//cdn/x", against: base), "http://cdn/x")
    }
}
