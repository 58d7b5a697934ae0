import Foundation
import HTTP
import Logging

/// A client for one registry's distribution API
/// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md): manifests, tags,
/// blobs. Authentication follows the registry's challenges; idempotent requests are retried by
/// `retryPolicy`; every non-2xx answer becomes a `RegistryError`.
///
/// Operations live in extensions by concern: manifests and tags (`RegistryClient+Manifests`),
/// blob reads and mounts (`BlobTransfer`), blob uploads (`BlobUpload`).
public final class RegistryClient: Sendable {
    public enum Scheme: String, Sendable {
        case http, https

        /// Plain HTTP for loopback registries (tests, local mirrors), HTTPS for everything else.
        public static func `default`(for registry: String) -> Scheme {
            ImageReference.isLoopbackHost(registry) ? .http : .https
        }
    }

    /// What the client will do in repositories: it decides the token scopes it asks for.
    public enum Access: Sendable {
        /// A source: `repository:NAME:pull`.
        case pull
        /// A target: `repository:NAME:pull,push` for every request, so one token serves them all.
        case pullPush
    }

    public struct Options: Sendable {
        /// Blobs larger than this are uploaded in chunks (PATCH) rather than one PUT.
        public var monolithicUploadLimit: Int64 = 512 << 20
        /// Size of each PATCH of a chunked upload.
        public var chunkSize: Int64 = 64 << 20
        /// Manifests larger than this are refused (the OCI spec suggests registries accept 4 MiB).
        public var maxManifestBytes: Int = 16 << 20
        /// `n` asked for per page of `tags/list`.
        public var tagPageSize: Int = 1000

        public init() {}
    }

    /// The registry as named in image references (`docker.io`, `127.0.0.1:5001`).
    public let registry: String
    public let scheme: Scheme
    public let access: Access
    public let options: Options
    /// `scheme://api-host`, without a trailing slash.
    public let baseURL: String
    let http: HTTPClient
    let retryPolicy: RetryPolicy
    let logger: Logger
    let authenticator: Authenticator

    public init(registry: String, scheme: Scheme? = nil, http: HTTPClient,
                credentials: RegistryCredentials = .anonymous, access: Access = .pull,
                retryPolicy: RetryPolicy = RetryPolicy(), options: Options = Options(),
                logger: Logger = Logger(label: "docker-sync.oci")) {
        let name = ImageReference.dockerHubAliases.contains(registry.lowercased()) ? ImageReference.dockerHub : registry
        let apiHost = name == ImageReference.dockerHub ? ImageReference.dockerHubAPIHost : name
        self.registry = name
        self.scheme = scheme ?? .default(for: name)
        self.access = access
        self.options = options
        self.baseURL = "\(self.scheme.rawValue)://\(apiHost)"
        self.http = http
        self.retryPolicy = retryPolicy
        var logger = logger
        logger[metadataKey: "registry"] = "\(name)"
        self.logger = logger
        self.authenticator = Authenticator(registry: name, credentials: credentials, http: http, retryPolicy: retryPolicy)
    }

    // MARK: Scopes

    /// Token scope for reading `repository` (or everything, for a push client).
    func readScopes(_ repository: String) -> [String] {
        access == .pullPush ? writeScopes(repository) : ["repository:\(repository):pull"]
    }

    func writeScopes(_ repository: String) -> [String] { ["repository:\(repository):pull,push"] }

    // MARK: Sending

    func url(_ path: String) -> String { baseURL + path }

    /// Sends a request with a replayable body and buffers the answer, whatever its status.
    func send(_ method: String, _ url: String, headers: HTTPHeaders = [:], body: HTTPRequestBody = .none,
              scopes: [String], maxBodyBytes: Int = 1 << 20) async throws -> HTTPResponse {
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        return try await authorized(request, scopes: scopes) { request in
            try await http.send(request, maxBodyBytes: maxBodyBytes)
        }
    }

    /// Sends `request` through `transmit` with the best `Authorization` known; after a 401, once
    /// more with what the challenge asks for — unless the body is a stream, which cannot be
    /// replayed (its auth is settled first by pinging `/v2/`). A helper's credentials refused on
    /// that retry are renewed for one more: the first 401 may only have been the challenge; and
    /// so are a helper's credentials denied with 403 (how ECR refuses an expired password).
    func authorized<R: HasResponseHead>(_ request: HTTPRequest, scopes: [String],
                                        _ transmit: (HTTPRequest) async throws -> R) async throws -> R {
        let ours = request.url.hasPrefix(baseURL + "/")
        var request = request
        if case .stream = request.body, ours { try await settleAuthentication() }
        var sent = ours ? try await authenticator.authorization(for: scopes) : nil
        request.headers.set("Authorization", sent)
        var response = try await transport(request, transmit)
        if ours, response.head.status != 401 { await authenticator.noChallenge() }
        guard ours, request.body.isReplayable else { return response }
        var retries = authenticator.credentials.isHelper ? 2 : 1
        while response.head.status == 401, retries > 0 {
            retries -= 1
            let challenges = AuthChallenge.parse(response.head.headers)
            guard let retry = try await authenticator.challenged(challenges, scopes: scopes, rejected: sent) else { break }
            sent = retry
            request.headers.set("Authorization", retry)
            response = try await transport(request, transmit)
        }
        if response.head.status == 403, let renewed = try await authenticator.denied(sent) {
            request.headers.set("Authorization", renewed)
            response = try await transport(request, transmit)
        }
        return response
    }

    /// Runs one exchange, turning a failure to get any response into a `RegistryError`.
    private func transport<R>(_ request: HTTPRequest, _ transmit: (HTTPRequest) async throws -> R) async throws -> R {
        do {
            return try await transmit(request)
        } catch let error as HTTPError {
            throw RegistryError(registry: registry, method: request.method, path: displayPath(request.url), transport: error)
        }
    }

    /// Lets a credential helper get `repository` ready before a push to it (ECR creates it).
    func prepareForPush(_ repository: String) async throws {
        guard case let .helper(source) = authenticator.credentials else { return }
        try await source.helper.prepareForPush(repository: repository)
    }

    /// Learns the registry's auth scheme with `GET /v2/` before a request that cannot be replayed.
    func settleAuthentication() async throws {
        guard await !authenticator.isSettled else { return }
        let response = try await send("GET", url("/v2/"), scopes: [])
        if (200..<300).contains(response.status) || response.status == 404 { await authenticator.noChallenge() }
    }

    /// Throws the `RegistryError` for `response` unless its status is 2xx (or in `accepting`).
    func check(_ response: HTTPResponse, _ method: String, _ url: String, accepting: Set<Int> = []) throws {
        guard !(200..<300).contains(response.status), !accepting.contains(response.status) else { return }
        throw RegistryError(registry: registry, method: method, path: displayPath(url), head: response.head, body: response.body)
    }

    /// The request path for messages: relative to the registry, query dropped.
    func displayPath(_ url: String) -> String {
        let relative = url.hasPrefix(baseURL) ? String(url.dropFirst(baseURL.count)) : url
        return RegistryError.stripQuery(relative)
    }

    /// Runs an idempotent operation under the retry policy, logging each retry.
    func retrying<T>(_ what: @autoclosure () -> String, _ operation: () async throws -> T) async throws -> T {
        let description = what()
        return try await retryPolicy.withRetries(onRetry: { [logger] error, delay in
            logger.notice("\(description) failed, retrying in \(String(format: "%.1f", delay)) s: \(error)")
        }, operation)
    }
}

/// A result carrying the response head `authorized` looks at for a 401.
protocol HasResponseHead {
    var head: HTTPResponseHead { get }
}

extension HTTPResponse: HasResponseHead {}

extension HTTPRequestBody {
    var isReplayable: Bool {
        if case .stream = self { return false }
        return true
    }
}

/// Values for query strings: unreserved characters and `/` `:` pass.
func queryValue(_ string: String) -> String {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/:")
    return string.addingPercentEncoding(withAllowedCharacters: allowed) ?? string
}
