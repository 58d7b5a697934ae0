import Foundation

/// A reverse proxy in front of a registry (`Scripts/fault_proxy.py`) that injects faults and
/// counts requests. Point the client at `proxy.host` instead of the registry's; `Location`
/// headers are rewritten so uploads stay on the proxy.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    /// `HOST:PORT` of the registry behind the proxy.
    public let upstream: String
    private let directory: TemporaryDirectory
    private let process: ServiceProcess

    /// `127.0.0.1:PORT`, the registry part of an image reference through the proxy.
    public var host: String { "127.0.0.1:\(port)" }
    public var url: URL { URL(string: "http://\(host)")! }
    public var log: String { process.log() }

    private init(port: Int, upstream: String, directory: TemporaryDirectory, process: ServiceProcess) {
        self.port = port
        self.upstream = upstream
        self.directory = directory
        self.process = process
    }

    public static func start(upstream registry: RegistryServer, faults: [FaultRule] = []) throws -> FaultProxy {
        try start(upstream: registry.host, faults: faults)
    }

    /// Starts the proxy in front of `upstream` (`HOST:PORT`) with the initial `faults`.
    public static func start(upstream: String, faults: [FaultRule] = []) throws -> FaultProxy {
        let directory = try TemporaryDirectory(prefix: "fault-proxy")
        let rules = try directory.write("faults.json", String(decoding: try encode(faults), as: UTF8.self))
        return try retryingOnBusyPort { port in
            let process = try ServiceProcess(
                name: "fault-proxy", executable: Python.executable,
                arguments: [SourceTree.script("fault_proxy.py"), "--port", "\(port)", "--upstream", upstream,
                            "--faults", rules],
                logPath: directory.file("proxy-\(port).log"))
            try process.waitUntilReady { (try? LoopbackHTTP.request("GET", port: port, path: "/__stats"))?.status == 200 }
            return FaultProxy(port: port, upstream: upstream, directory: directory, process: process)
        }
    }

    /// Replaces the fault rules; their match counters start again from zero.
    public func setFaults(_ rules: [FaultRule]) throws {
        let response = try LoopbackHTTP.request("POST", port: port, path: "/__faults", body: try Self.encode(rules),
                                                headers: ["Content-Type": "application/json"])
        guard response.status == 200 else {
            throw ServiceError("fault proxy refused the rules: \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    /// What went through the proxy since it started (or since `resetStats()`).
    public func stats() throws -> FaultProxyStats {
        try JSONDecoder().decode(FaultProxyStats.self, from: LoopbackHTTP.request("GET", port: port, path: "/__stats").body)
    }

    public func resetStats() throws {
        _ = try LoopbackHTTP.request("POST", port: port, path: "/__reset", body: Data())
    }

    public func stop() { process.stop() }

    // Stop before the temporary directory is removed, so nothing writes into it meanwhile.
    deinit { process.stop() }

    static func encode(_ rules: [FaultRule]) throws -> Data {
        struct Rules: Encodable { let rules: [FaultRule] }
        return try JSONEncoder().encode(Rules(rules: rules))
    }
}

/// One fault: requests whose method is in `methods` (any when nil) and whose path and query match
/// the regular expression `path` (Python `re.search`) get `action` — for the `times` matches after
/// the first `skip`, or every `every`-th match, or always when neither is set. Rules are tried in
/// order; the first that fires handles the request.
public struct FaultRule: Sendable, Encodable {
    public enum Action: Sendable {
        /// Answer without asking the registry.
        case respond(status: Int, headers: [String: String] = [:], body: Data? = nil)
        /// Drop the client connection with a TCP RST before answering.
        case reset
        /// Forward, but end the response body (FIN) after `afterBytes` bytes.
        case truncate(afterBytes: Int)
        /// Forward after `delay` seconds.
        case pass
        /// Forward to `path` (with its query) instead of the request's own.
        case rewrite(to: String)
    }

    public var name: String?
    public var methods: [String]?
    public var path: String
    public var action: Action
    public var skip: Int
    public var times: Int?
    public var every: Int?
    /// Seconds to wait before the action.
    public var delay: Double?

    public init(name: String? = nil, methods: [String]? = nil, path: String, action: Action, skip: Int = 0,
                times: Int? = nil, every: Int? = nil, delay: Double? = nil) {
        self.name = name
        self.methods = methods
        self.path = path
        self.action = action
        self.skip = skip
        self.times = times
        self.every = every
        self.delay = delay
    }

    /// Answers `status` (a registry-style JSON error body unless `body` is given).
    public static func status(_ status: Int, methods: [String]? = nil, path: String, times: Int? = nil,
                              every: Int? = nil, headers: [String: String] = [:], body: Data? = nil,
                              name: String? = nil) -> FaultRule {
        FaultRule(name: name, methods: methods, path: path, action: .respond(status: status, headers: headers, body: body),
                  times: times, every: every)
    }

    /// 429 with `Retry-After: seconds`.
    public static func tooManyRequests(retryAfter seconds: Int, methods: [String]? = nil, path: String,
                                       times: Int? = nil, name: String? = nil) -> FaultRule {
        status(429, methods: methods, path: path, times: times, headers: ["Retry-After": "\(seconds)"], name: name)
    }

    /// 429 with the IETF `RateLimit-*` headers (as Docker Hub sends them), reset in `seconds`.
    public static func tooManyRequests(rateLimitReset seconds: Int, limit: Int = 100, methods: [String]? = nil,
                                       path: String, times: Int? = nil, name: String? = nil) -> FaultRule {
        status(429, methods: methods, path: path, times: times,
               headers: ["RateLimit-Limit": "\(limit)", "RateLimit-Remaining": "0", "RateLimit-Reset": "\(seconds)"],
               name: name)
    }

    public static func reset(methods: [String]? = nil, path: String, times: Int? = nil, every: Int? = nil,
                             name: String? = nil) -> FaultRule {
        FaultRule(name: name, methods: methods, path: path, action: .reset, times: times, every: every)
    }

    public static func truncate(afterBytes bytes: Int, methods: [String]? = nil, path: String, times: Int? = nil,
                                name: String? = nil) -> FaultRule {
        FaultRule(name: name, methods: methods, path: path, action: .truncate(afterBytes: bytes), times: times)
    }

    public static func delay(_ seconds: Double, methods: [String]? = nil, path: String, times: Int? = nil,
                             name: String? = nil) -> FaultRule {
        FaultRule(name: name, methods: methods, path: path, action: .pass, times: times, delay: seconds)
    }

    /// A registry that answers `DELETE …/manifests/TAG` of `repository` by deleting the manifest
    /// `digest` with every tag on it (against the distribution spec; Harbor deletes the artifact):
    /// the proxy forwards that DELETE by digest.
    public static func deleteManifestForTag(repository: String, tag: String, digest: String, name: String? = nil) -> FaultRule {
        let path = "^/v2/\(NSRegularExpression.escapedPattern(for: repository))/manifests/"
            + "\(NSRegularExpression.escapedPattern(for: tag))$"
        return FaultRule(name: name, methods: ["DELETE"], path: path, action: .rewrite(to: "/v2/\(repository)/manifests/\(digest)"))
    }

    /// Serves `body` for GET and HEAD of `/v2/REPOSITORY/manifests/REFERENCE`, e.g. a schema1
    /// manifest that distribution 2.8 refuses to store (see `ImageSeeder.schema1Manifest`).
    public static func serveManifest(repository: String, reference: String, body: Data, mediaType: String,
                                     name: String? = nil) throws -> FaultRule {
        let path = "^/v2/\(NSRegularExpression.escapedPattern(for: repository))/manifests/"
            + "\(NSRegularExpression.escapedPattern(for: reference))$"
        let headers = ["Content-Type": mediaType, "Docker-Content-Digest": try sha256Digest(body),
                       "Docker-Distribution-API-Version": "registry/2.0"]
        return FaultRule(name: name, methods: ["GET", "HEAD"], path: path,
                         action: .respond(status: 200, headers: headers, body: body))
    }

    private enum Key: String, CodingKey {
        case name, methods, path, action, skip, times, every, delay, status, headers, bodyBase64, bytes, to
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(methods?.map { $0.uppercased() }, forKey: .methods)
        try c.encode(path, forKey: .path)
        try c.encode(skip, forKey: .skip)
        try c.encodeIfPresent(times, forKey: .times)
        try c.encodeIfPresent(every, forKey: .every)
        try c.encodeIfPresent(delay, forKey: .delay)
        switch action {
        case let .respond(status, headers, body):
            try c.encode("respond", forKey: .action)
            try c.encode(status, forKey: .status)
            try c.encode(headers, forKey: .headers)
            try c.encodeIfPresent(body?.base64EncodedString(), forKey: .bodyBase64)
        case .reset:
            try c.encode("reset", forKey: .action)
        case let .truncate(bytes):
            try c.encode("truncate", forKey: .action)
            try c.encode(bytes, forKey: .bytes)
        case .pass:
            try c.encode("delay", forKey: .action)
        case let .rewrite(path):
            try c.encode("rewrite", forKey: .action)
            try c.encode(path, forKey: .to)
        }
    }
}

/// The kinds of registry request the proxy counts, named after the distribution spec endpoints.
public enum RegistryRequestKind: String, Sendable, CaseIterable {
    case base, catalog, tags, referrers, manifest, blob, other
    case uploadStart = "upload-start"
    /// `POST /v2/NAME/blobs/uploads/?mount=…&from=…`
    case uploadMount = "upload-mount"
    case uploadChunk = "upload-chunk"
    case uploadComplete = "upload-complete"
    case uploadStatus = "upload-status"
    case uploadCancel = "upload-cancel"
}

/// Requests seen by a `FaultProxy`.
public struct FaultProxyStats: Decodable, Sendable {
    public struct Request: Decodable, Sendable {
        public let method: String
        /// Path and query.
        public let path: String
        /// What the client got; 0 for a reset connection.
        public let status: Int
        /// The rule that fired, if any.
        public let fault: String?
    }

    /// Keyed `"METHOD kind"`, e.g. `"GET manifest"`.
    public let counts: [String: Int]
    /// Times each rule fired, by rule name (`rule0`, `rule1`, … when unnamed).
    public let faults: [String: Int]
    /// Every request in arrival order (recorded when it completes).
    public let requests: [Request]

    public func count(_ method: String, _ kind: RegistryRequestKind) -> Int {
        counts["\(method.uppercased()) \(kind.rawValue)"] ?? 0
    }

    /// Requests of `method` (any when nil) whose path contains `fragment`.
    public func count(method: String? = nil, pathContaining fragment: String) -> Int {
        requests.filter { (method == nil || $0.method == method?.uppercased()) && $0.path.contains(fragment) }.count
    }

    public func faultCount(_ name: String) -> Int { faults[name] ?? 0 }
}
