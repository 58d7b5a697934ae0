import Foundation
import HTTP

/// Chooses the `Authorization` header for one registry's requests, following the challenge the
/// registry answered with: HTTP Basic, or the Bearer token flow of
/// https://distribution.github.io/distribution/spec/auth/token/ (GET realm?service=&scope=, with
/// Basic credentials when there are any). Secrets never leave this type except in headers.
actor Authenticator {
    enum Mode: Equatable, Sendable {
        /// No challenge seen yet: requests go without credentials until one arrives.
        case unknown
        /// The registry let us in without credentials.
        case none
        case basic
        case bearer(realm: String, service: String?)
    }

    let registry: String
    let credentials: RegistryCredentials
    private let http: HTTPClient
    private let retryPolicy: RetryPolicy
    private let cache: TokenCache
    private(set) var mode: Mode = .unknown

    init(registry: String, credentials: RegistryCredentials, http: HTTPClient, retryPolicy: RetryPolicy,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.registry = registry
        self.credentials = credentials
        self.http = http
        self.retryPolicy = retryPolicy
        self.cache = TokenCache(now: now)
    }

    /// True once the registry's authentication scheme is known (or a token is configured).
    var isSettled: Bool {
        if case .bearer = credentials { return true }
        return mode != .unknown
    }

    /// The header to send up front for a request needing `scopes`; nil when none is known to help.
    func authorization(for scopes: [String]) async throws -> String? {
        if case let .bearer(token) = credentials { return "Bearer \(token)" }
        switch mode {
        case .unknown, .none:
            return nil
        case .basic:
            return try await basicAuthorization(replacing: nil)
        case let .bearer(realm, service):
            return "Bearer " + (try await bearerToken(realm: realm, service: service, scopes: scopes, rejected: nil))
        }
    }

    /// After a 401 carrying `challenges`: the header to retry with, or nil when nothing better
    /// than `rejected` (what the refused request sent) is available.
    func challenged(_ challenges: [AuthChallenge], scopes: [String], rejected: String?) async throws -> String? {
        if case .bearer = credentials { return nil }
        if let bearer = challenges.first(where: { $0.scheme == .bearer }), let realm = bearer.realm {
            mode = .bearer(realm: realm, service: bearer.service)
            let wanted = Self.merge(scopes, bearer.scope)
            let rejectedToken = rejected.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
            let token = try await bearerToken(realm: realm, service: bearer.service, scopes: wanted, rejected: rejectedToken)
            let header = "Bearer \(token)"
            return header == rejected ? nil : header
        }
        if challenges.contains(where: { $0.scheme == .basic }) {
            mode = .basic
            let header = try await basicAuthorization(replacing: rejected)
            return header == rejected ? nil : header
        }
        return nil
    }

    /// After a 403 to a request sent with a helper's Basic credentials (`sent`): renewed ones to
    /// retry with, or nil. ECR answers an expired password with 403 DENIED, not 401.
    func denied(_ sent: String?) async throws -> String? {
        guard case .helper = credentials, mode == .basic, let sent, sent.hasPrefix("Basic ") else { return nil }
        let renewed = try await basicAuthorization(replacing: sent)
        return renewed == sent ? nil : renewed
    }

    /// The registry answered without asking for credentials.
    func noChallenge() {
        if mode == .unknown { mode = .none }
    }

    /// Forgets cached tokens (tests; credentials rotated).
    func reset() async {
        await cache.removeAll()
    }

    private func bearerToken(realm: String, service: String?, scopes: [String], rejected: String?) async throws -> String {
        let key = TokenCache.Key(realm: realm, service: service, scopes: scopes)
        return try await cache.token(for: key, rejecting: rejected) { [self] in
            try await retryPolicy.withRetries { try await fetchToken(key) }
        }
    }

    /// Basic credentials as an `Authorization` value (nil for none); after a refusal of `rejected`,
    /// a helper's renewed ones.
    private func basicAuthorization(replacing rejected: String?) async throws -> String? {
        if case let .helper(source) = credentials { return try await source.basicAuthorization(replacing: rejected) }
        return credentials.basicAuthorization
    }

    /// GET realm?service=…&scope=…, Basic-authenticated when there are credentials; a helper's
    /// credentials refused by the token endpoint are renewed once.
    private func fetchToken(_ key: TokenCache.Key) async throws -> TokenCache.Grant {
        let basic = try await basicAuthorization(replacing: nil)
        var response = try await requestToken(key, basic: basic)
        if response.status == 401, case .helper = credentials,
           let renewed = try await basicAuthorization(replacing: basic), renewed != basic {
            response = try await requestToken(key, basic: renewed)
        }
        let where_ = RegistryError.stripQuery(key.realm)
        guard response.status == 200 else {
            throw RegistryError(registry: registry, method: "GET", path: where_, head: response.head, body: response.body)
        }
        struct Body: Decodable {
            let token: String?
            let access_token: String?
            let expires_in: Double?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)),
              let token = body.token ?? body.access_token, !token.isEmpty else {
            throw RegistryError(registry: registry, method: "GET", path: where_, status: 200,
                                reason: "the token endpoint answered without a token", classification: .fatal)
        }
        return TokenCache.Grant(token: token, expiresIn: body.expires_in ?? 60)
    }

    private func requestToken(_ key: TokenCache.Key, basic: String?) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        headers.set("Authorization", basic)
        do {
            return try await http.send(HTTPRequest(method: "GET", url: Self.tokenURL(key), headers: headers), maxBodyBytes: 1 << 20)
        } catch {
            throw RegistryError(registry: registry, method: "GET", path: RegistryError.stripQuery(key.realm), transport: error)
        }
    }

    static func tokenURL(_ key: TokenCache.Key) -> String {
        var query: [String] = []
        if let service = key.service { query.append("service=" + percentEncode(service)) }
        query += key.scopes.map { "scope=" + percentEncode($0) }
        guard !query.isEmpty else { return key.realm }
        return key.realm + (key.realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
    }

    /// Our scopes plus what the challenge names that we did not ask for, one scope per resource with
    /// the union of the actions: a HEAD's challenge for `repository:a:pull` must not turn a push's
    /// `repository:a:pull,push` into a second token key (and a second token) for the same access.
    static func merge(_ scopes: [String], _ challengeScope: String?) -> [String] {
        var resources: [String] = []
        var actions: [String: [String]] = [:]
        let all = scopes + (challengeScope ?? "").split(separator: " ").map(String.init)
        for scope in all {
            guard let split = scope.lastIndex(of: ":"), scope.firstIndex(of: ":") != split else {
                if actions[scope] == nil { resources.append(scope); actions[scope] = [] }
                continue
            }
            let resource = String(scope[..<split])
            if actions[resource] == nil { resources.append(resource); actions[resource] = [] }
            for action in scope[scope.index(after: split)...].split(separator: ",").map(String.init)
            where !actions[resource]!.contains(action) {
                actions[resource]!.append(action)
            }
        }
        return resources.map { actions[$0]!.isEmpty ? $0 : "\($0):\(actions[$0]!.joined(separator: ","))" }
    }
}

/// RFC 3986 unreserved characters pass; everything else is %-encoded.
func percentEncode(_ string: String) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return string.addingPercentEncoding(withAllowedCharacters: allowed) ?? string
}
