#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A username and password for a test registry or token server.
public struct RegistryLogin: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `USER:PASSWORD`, as skopeo's `--creds` wants it.
    public var colonSeparated: String { "\(username):\(password)" }
}

/// A real `docker-registry serve` (distribution 2.8) on a free loopback port, storing into a
/// temporary directory, with delete enabled and an access log that tests can count requests in.
public final class RegistryServer: @unchecked Sendable {
    public enum Auth: Sendable {
        case none
        case htpasswd(username: String, password: String)
        /// Docker Hub style bearer tokens issued by `server`.
        case token(TokenServer)
    }

    public let port: Int
    public let auth: Auth
    /// What a client logs in with; nil for `.none`.
    public let credentials: RegistryLogin?
    /// The registry's storage root (`docker/registry/v2/...` below it).
    public let storagePath: String
    private let directory: TemporaryDirectory
    private let process: ServiceProcess
    private let deleteEnabled: Bool

    /// `127.0.0.1:PORT`, the registry part of an image reference.
    public var host: String { "127.0.0.1:\(port)" }
    public var url: URL { URL(string: "http://\(host)")! }
    public var logPath: String { process.logPath }
    /// Everything the registry logged so far, access log included.
    public var log: String { process.log() }

    private init(port: Int, auth: Auth, credentials: RegistryLogin?, directory: TemporaryDirectory,
                 process: ServiceProcess, deleteEnabled: Bool) {
        self.deleteEnabled = deleteEnabled
        self.port = port
        self.auth = auth
        self.credentials = credentials
        self.directory = directory
        self.process = process
        self.storagePath = directory.file("storage")
    }

    /// Starts a registry and returns once `GET /v2/` answers (200, or 401 when auth is on).
    /// `deleteEnabled: false` is distribution's default: every DELETE answers 405 UNSUPPORTED.
    public static func start(auth: Auth = .none, deleteEnabled: Bool = true) throws -> RegistryServer {
        let directory = try TemporaryDirectory(prefix: "docker-registry")
        return try retryingOnBusyPort { port in
            try launch(port: port, auth: auth, deleteEnabled: deleteEnabled, directory: directory)
        }
    }

    /// Stops this registry and starts another on the same port and storage with `auth`: credentials
    /// rotated under a client's feet.
    public func restarted(auth: Auth) throws -> RegistryServer {
        process.stop()
        return try Self.launch(port: port, auth: auth, deleteEnabled: deleteEnabled, directory: directory)
    }

    private static func launch(port: Int, auth: Auth, deleteEnabled: Bool, directory: TemporaryDirectory) throws -> RegistryServer {
        let (authSection, credentials) = try authConfig(auth, directory: directory)
        let config = try directory.write("config-\(port).yml", configYAML(port: port, storage: directory.file("storage"),
                                                                        auth: authSection, deleteEnabled: deleteEnabled))
        let process = try ServiceProcess(name: "docker-registry", executable: "docker-registry",
                                         arguments: ["serve", config], logPath: directory.file("registry-\(port).log"))
        try process.waitUntilReady {
            let status = (try? LoopbackHTTP.request("GET", port: port, path: "/v2/"))?.status
            return status == 200 || status == 401
        }
        return RegistryServer(port: port, auth: auth, credentials: credentials, directory: directory, process: process,
                              deleteEnabled: deleteEnabled)
    }

    public func stop() { process.stop() }

    /// Deletes `repository`'s manifest `digest` (and so every tag on it) without docker-sync;
    /// registries without auth only.
    public func deleteManifest(repository: String, digest: String) throws {
        let answer = try LoopbackHTTP.request("DELETE", port: port, path: "/v2/\(repository)/manifests/\(digest)")
        guard answer.status == 202 else { throw ServiceError("DELETE \(repository)@\(digest) answered \(answer.status)") }
    }

    /// The status of `HEAD /v2/<repository>/manifests/<reference>` (registries without auth only).
    public func manifestStatus(repository: String, reference: String) throws -> Int {
        let accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
            + "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"
        return try LoopbackHTTP.request("HEAD", port: port, path: "/v2/\(repository)/manifests/\(reference)",
                                        headers: ["Accept": accept]).status
    }

    // Stop before the temporary directory is removed, so nothing writes into it meanwhile.
    deinit { process.stop() }

    /// The requests the registry served, from its access log, oldest first.
    public func accessLog() -> [AccessLogEntry] {
        log.split(separator: "\n").compactMap { AccessLogEntry(line: String($0)) }
    }

    /// How many requests matched `method` (any when nil) and the regular expression `path`.
    public func requestCount(method: String? = nil, path pattern: String = "") throws -> Int {
        let regex = try NSRegularExpression(pattern: pattern)
        return accessLog().filter { entry in
            (method == nil || entry.method == method)
                && regex.firstMatch(in: entry.path, range: NSRange(entry.path.startIndex..., in: entry.path)) != nil
        }.count
    }

    static func configYAML(port: Int, storage: String, auth: String, deleteEnabled: Bool = true) -> String {
        """
        version: 0.1
        log:
          level: info
          formatter: text
          accesslog:
            disabled: false
        storage:
          filesystem:
            rootdirectory: \(storage)
          delete:
            enabled: \(deleteEnabled)
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: 127.0.0.1:\(port)
          secret: docker-sync-test-secret
        \(auth)
        """
    }

    static func authConfig(_ auth: Auth, directory: TemporaryDirectory) throws -> (String, RegistryLogin?) {
        switch auth {
        case .none:
            return ("", nil)
        case let .htpasswd(username, password):
            let entry = try Command.run("htpasswd", ["-Bbn", username, password]).stdoutText
            let file = try directory.write("htpasswd", entry.trimmingCharacters(in: .whitespacesAndNewlines) + "\n")
            let yaml = "auth:\n  htpasswd:\n    realm: docker-sync-test\n    path: \(file)\n"
            return (yaml, RegistryLogin(username: username, password: password))
        case let .token(server):
            let yaml = """
            auth:
              token:
                realm: \(server.realm)
                service: \(server.service)
                issuer: \(server.issuer)
                rootcertbundle: \(server.certificatePath)

            """
            return (yaml, server.credentials)
        }
    }
}

/// One line of the registry's access log (Apache combined format).
public struct AccessLogEntry: Sendable, Equatable {
    public let method: String
    public let path: String
    public let status: Int

    private static let pattern = try! NSRegularExpression(pattern: #""([A-Z]+) (\S+) HTTP/[0-9.]+" ([0-9]{3}) "#)

    public init(method: String, path: String, status: Int) {
        self.method = method
        self.path = path
        self.status = status
    }

    init?(line: String) {
        let range = NSRange(line.startIndex..., in: line)
        guard let match = Self.pattern.firstMatch(in: line, range: range),
              let method = Range(match.range(at: 1), in: line),
              let path = Range(match.range(at: 2), in: line),
              let status = Range(match.range(at: 3), in: line) else { return nil }
        self.method = String(line[method])
        self.path = String(line[path])
        self.status = Int(line[status]) ?? 0
    }
}

/// Runs `launch` on a free port, again on another one if a parallel test took the port between
/// `FreePort.next()` and the server's bind.
func retryingOnBusyPort<T>(attempts: Int = 3, _ launch: (Int) throws -> T) throws -> T {
    var lastError: Error?
    for _ in 0..<attempts {
        do {
            return try launch(FreePort.next())
        } catch let error as ServiceError where error.description.lowercased().contains("address already in use") {
            lastError = error
        }
    }
    throw lastError!
}

/// A minimal HTTP client for the test services' own endpoints (readiness probes, control APIs).
/// One HTTP/1.0 request per connection, so no keep-alive or chunked decoding is needed.
enum LoopbackHTTP {
    struct Response {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    static func request(_ method: String, port: Int, path: String, body: Data? = nil,
                        headers: [String: String] = [:], httpVersion: String = "1.0",
                        timeout: Int = 10) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceError("socket() failed: \(errno)") }
        defer { close(fd) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var addr = FreePort.loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServiceError("connect to 127.0.0.1:\(port) failed: \(errno)") }
        var head = "\(method) \(path) HTTP/\(httpVersion)\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        // A caller sending `Transfer-Encoding: chunked` (HTTP/1.1) passes the body already chunked.
        if let body, headers["Transfer-Encoding"] == nil { head += "Content-Length: \(body.count)\r\n" }
        try writeAll(fd, Data((head + "\r\n").utf8) + (body ?? Data()))
        return try parse(readAll(fd), port: port)
    }

    private static func writeAll(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw ServiceError("send failed: \(errno)") }
                offset += n
            }
        }
    }

    private static func readAll(_ fd: Int32) throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return data }
            guard n > 0 else { throw ServiceError("recv failed: \(errno)") }
            data.append(buffer, count: n)
        }
    }

    private static func parse(_ data: Data, port: Int) throws -> Response {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else {
            throw ServiceError("malformed HTTP response from 127.0.0.1:\(port)")
        }
        let lines = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ServiceError("malformed HTTP status line from 127.0.0.1:\(port): \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Response(status: status, headers: headers, body: Data(data[split.upperBound...]))
    }
}
