import Foundation

/// A Docker Hub style token server (`Scripts/token_server.py`): answers
/// `GET /token?service=…&scope=repository:NAME:pull,push` with an ES256 JWT that a
/// `RegistryServer.start(auth: .token(server))` accepts, and records every token request so tests
/// can assert which scopes a client asked for.
/// See https://distribution.github.io/distribution/spec/auth/token/.
public final class TokenServer: @unchecked Sendable {
    public struct User: Sendable, Hashable {
        public var username: String
        public var password: String
        /// The actions this user may be granted (`pull`, `push`, `delete`, `*`).
        public var actions: [String]

        public init(username: String, password: String, actions: [String] = ["pull", "push", "delete", "*"]) {
            self.username = username
            self.password = password
            self.actions = actions
        }

        public var credentials: RegistryLogin { RegistryLogin(username: username, password: password) }
    }

    /// What a request without credentials gets.
    public enum AnonymousAccess: String, Sendable {
        /// 401, as a token server that requires a login.
        case rejected = "reject"
        /// A token granting nothing (Docker Hub's answer for a private repository).
        case noAccess = "none"
        /// A pull-only token (a public repository).
        case pull
    }

    /// One `access` entry of a token, as granted.
    public struct Access: Decodable, Sendable, Hashable {
        public let type: String
        public let name: String
        public let actions: [String]
    }

    /// A token request as the server saw it.
    public struct Request: Decodable, Sendable {
        /// The basic-auth user; nil for an anonymous request.
        public let user: String?
        public let service: String
        /// The `scope` parameters, e.g. `repository:library/alpine:pull,push`.
        public let scopes: [String]
        public let granted: [Access]
        /// 200, or 401 for bad or missing credentials.
        public let status: Int

        /// The actions asked for on `repository` across this request's scopes.
        public func requestedActions(repository: String) -> Set<String> {
            var actions = Set<String>()
            for scope in scopes {
                let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "repository",
                      parts[1..<(parts.count - 1)].joined(separator: ":") == repository else { continue }
                actions.formUnion(parts[parts.count - 1].split(separator: ",").map(String.init))
            }
            return actions
        }
    }

    public let port: Int
    public let service: String
    public let issuer: String
    public let users: [User]
    public let expiresIn: Int
    /// The PEM certificate whose key signs the tokens (the registry's `rootcertbundle`).
    public let certificatePath: String
    private let directory: TemporaryDirectory
    private let process: ServiceProcess

    /// `http://127.0.0.1:PORT/token`, the registry's `realm`.
    public var realm: String { "http://127.0.0.1:\(port)/token" }
    /// The first user's credentials.
    public var credentials: RegistryLogin? { users.first?.credentials }
    public var log: String { process.log() }

    private init(port: Int, service: String, issuer: String, users: [User], expiresIn: Int,
                 directory: TemporaryDirectory, process: ServiceProcess) {
        self.port = port
        self.service = service
        self.issuer = issuer
        self.users = users
        self.expiresIn = expiresIn
        self.certificatePath = directory.file("cert.pem")
        self.directory = directory
        self.process = process
    }

    /// Makes a P-256 key and self-signed certificate with openssl, then starts the server.
    /// `expiresIn` is what tokens say and how long the registry accepts them (its 60 s clock-skew
    /// leeway is compensated), so a few seconds make a client re-authenticate mid-run.
    public static func start(users: [User] = [User(username: "tester", password: "secret")],
                             anonymous: AnonymousAccess = .noAccess, expiresIn: Int = 300,
                             service: String = "docker-sync-test-registry",
                             issuer: String = "docker-sync-test-issuer") throws -> TokenServer {
        let directory = try TemporaryDirectory(prefix: "token-server")
        try Command.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory.file("key.pem"), "-out", directory.file("cert.pem"),
            "-subj", "/CN=\(issuer)", "-days", "3650",
        ])
        let policy = try directory.write("policy.json", policyJSON(users: users, anonymous: anonymous, expiresIn: expiresIn))
        return try retryingOnBusyPort { port in
            let process = try ServiceProcess(
                name: "token-server", executable: Python.executable,
                arguments: [SourceTree.script("token_server.py"), "--port", "\(port)",
                            "--key", directory.file("key.pem"), "--cert", directory.file("cert.pem"),
                            "--issuer", issuer, "--policy", policy],
                logPath: directory.file("token-\(port).log"))
            try process.waitUntilReady { (try? LoopbackHTTP.request("GET", port: port, path: "/__requests"))?.status == 200 }
            return TokenServer(port: port, service: service, issuer: issuer, users: users, expiresIn: expiresIn,
                               directory: directory, process: process)
        }
    }

    /// Every token request so far, oldest first.
    public func requests() throws -> [Request] {
        let response = try LoopbackHTTP.request("GET", port: port, path: "/__requests")
        return try JSONDecoder().decode([Request].self, from: response.body)
    }

    /// Forgets the recorded requests.
    public func resetRequests() throws {
        _ = try LoopbackHTTP.request("POST", port: port, path: "/__reset", body: Data())
    }

    public func stop() { process.stop() }

    // Stop before the temporary directory is removed, so nothing writes into it meanwhile.
    deinit { process.stop() }

    static func policyJSON(users: [User], anonymous: AnonymousAccess, expiresIn: Int) throws -> String {
        struct Entry: Encodable { let password: String; let actions: [String] }
        struct Policy: Encodable { let users: [String: Entry]; let anonymous: String; let expires_in: Int }
        let policy = Policy(
            users: Dictionary(users.map { ($0.username, Entry(password: $0.password, actions: $0.actions)) }) { $1 },
            anonymous: anonymous.rawValue, expires_in: expiresIn)
        return String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
    }
}
