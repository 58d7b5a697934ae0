#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real `nginx` on free loopback ports, configured by the test: the test writes the body of
/// nginx's `http {}` block (its `server`s listening on `ports`), NginxServer adds the rest — pid
/// file, error log and temp paths inside its own temporary directory — and waits until every
/// port accepts connections.
///
///     let nginx = try NginxServer(ports: 2) { dir, ports in
///         "server { listen 127.0.0.1:\(ports[0]); access_log \(dir)/a.log; return 204; }"
///     }
public final class NginxServer: @unchecked Sendable {
    public let ports: [Int]
    /// The prefix directory: config, logs, temp files and anything the test puts there.
    public let directory: String
    private let temporary: TemporaryDirectory
    private let process: ServiceProcess

    public var log: String { process.log() }

    /// Starts nginx with `httpBlock(directory, ports)` inside `http {}`; `prepare` may first put
    /// files (document roots, certificates) into the directory.
    public init(ports count: Int = 1, prepare: (String) throws -> Void = { _ in },
                httpBlock: (String, [Int]) throws -> String) throws {
        temporary = try TemporaryDirectory(prefix: "nginx")
        directory = temporary.path
        try prepare(directory)
        ports = (0..<count).map { _ in FreePort.next() }
        let config = try temporary.write("nginx.conf", Self.mainConfig(directory: directory, http: httpBlock(directory, ports)))
        process = try ServiceProcess(name: "nginx", executable: "nginx",
                                     arguments: ["-p", directory, "-c", config, "-e", "\(directory)/error.log", "-g", "daemon off;"],
                                     logPath: temporary.file("stderr.log"))
        do {
            for port in ports { try process.waitForPort(port) }
        } catch {
            process.stop()
            throw ServiceError("\(error)\n\(errorLog)")
        }
    }

    public func stop() { process.stop() }

    /// `http://127.0.0.1:PORT` for the `index`th port.
    public func url(_ index: Int = 0, scheme: String = "http") -> String { "\(scheme)://127.0.0.1:\(ports[index])" }

    public var errorLog: String { file("error.log") }

    /// The contents of `name` inside the directory (an access log), or "" before it exists.
    public func file(_ name: String) -> String {
        FileManager.default.contents(atPath: "\(directory)/\(name)").map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Waits until the file `name` (an access log) has a line containing `text`, and returns that
    /// line. nginx writes the access log after it sent the response, so a client may finish first.
    @discardableResult
    public func waitForLine(in name: String, containing text: String, timeout: TimeInterval = 10) throws -> String {
        var found: String?
        try process.waitUntil(timeout: timeout) {
            found = file(name).split(separator: "\n").first { $0.contains(text) }.map(String.init)
            return found != nil
        }
        return found!
    }

    static func mainConfig(directory dir: String, http: String) -> String {
        // As root, nginx would hand requests to "nobody", who may not read the test's files.
        let user = geteuid() == 0 ? "user root;\n" : ""
        return """
        \(user)worker_processes 1;
        pid \(dir)/nginx.pid;
        error_log \(dir)/error.log info;
        events { worker_connections 256; }
        http {
            default_type application/octet-stream;
            access_log off;
            client_body_temp_path \(dir)/client_body;
            proxy_temp_path \(dir)/proxy;
            fastcgi_temp_path \(dir)/fastcgi;
            uwsgi_temp_path \(dir)/uwsgi;
            scgi_temp_path \(dir)/scgi;
        \(http)
        }

        """
    }
}
