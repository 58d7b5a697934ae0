#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// skopeo, the peer docker-sync is measured against and a second opinion on what it wrote.
/// References without a transport get `docker://`.
public enum Skopeo {
    /// The outcome of one skopeo run.
    public struct Run: Sendable {
        public let arguments: [String]
        public let stdout: String
        public let stderr: String
        /// Wall-clock time of the run, for benchmarks.
        public let duration: TimeInterval
    }

    public enum SourceTransport: String, Sendable {
        case docker
        /// A skopeo sync YAML file (`registry: {images: {repo: [tags]}}`).
        case yaml
    }

    /// The manifest stored at `reference`, byte for byte (an index stays an index).
    public static func inspectRaw(_ reference: String, tlsVerify: Bool = false,
                                  creds: RegistryLogin? = nil) throws -> Data {
        var arguments = ["inspect", "--raw", "--tls-verify=\(tlsVerify)"]
        if let creds { arguments += ["--creds", creds.colonSeparated] }
        return try run(arguments + [transport(reference)]).stdout
    }

    /// `sha256:…` of the manifest stored at `reference` — the tag's own manifest, index included,
    /// never a platform-resolved child (`inspect --format {{.Digest}}` would also fail on artifacts).
    public static func inspectDigest(_ reference: String, tlsVerify: Bool = false,
                                     creds: RegistryLogin? = nil) throws -> String {
        try sha256Digest(inspectRaw(reference, tlsVerify: tlsVerify, creds: creds))
    }

    /// The tags of `repository` (`HOST/NAME`), sorted.
    public static func listTags(_ repository: String, tlsVerify: Bool = false,
                                creds: RegistryLogin? = nil) throws -> [String] {
        var arguments = ["list-tags", "--tls-verify=\(tlsVerify)"]
        if let creds { arguments += ["--creds", creds.colonSeparated] }
        let output = try run(arguments + [transport(repository)]).stdout
        struct Tags: Decodable { let Tags: [String]? }
        return try JSONDecoder().decode(Tags.self, from: output).Tags?.sorted() ?? []
    }

    /// `skopeo copy`, by default of every platform with digests preserved.
    @discardableResult
    public static func copy(from source: String, to destination: String, all: Bool = true,
                            preserveDigests: Bool = true, tlsVerify: Bool = false,
                            sourceCreds: RegistryLogin? = nil, destinationCreds: RegistryLogin? = nil,
                            extraArguments: [String] = []) throws -> Run {
        var arguments = ["copy", "--src-tls-verify=\(tlsVerify)", "--dest-tls-verify=\(tlsVerify)"]
        if all { arguments.append("--all") }
        if preserveDigests { arguments.append("--preserve-digests") }
        if let sourceCreds { arguments += ["--src-creds", sourceCreds.colonSeparated] }
        if let destinationCreds { arguments += ["--dest-creds", destinationCreds.colonSeparated] }
        return try timedRun(arguments + extraArguments + [transport(source), transport(destination)])
    }

    /// `skopeo sync --src docker|yaml --dest docker`, for benchmarks. `source` is `HOST/REPO[:TAG]`
    /// or a YAML file; `destination` is `HOST[/PREFIX]`. Call `clearBlobInfoCache()` before a timed
    /// run, or skopeo mounts blobs it remembers instead of copying them.
    @discardableResult
    public static func sync(source: String, destination: String, sourceTransport: SourceTransport = .docker,
                            all: Bool = true, preserveDigests: Bool = true, scoped: Bool = false,
                            tlsVerify: Bool = false, sourceCreds: RegistryLogin? = nil,
                            destinationCreds: RegistryLogin? = nil, extraArguments: [String] = []) throws -> Run {
        var arguments = ["sync", "--src", sourceTransport.rawValue, "--dest", "docker",
                         "--src-tls-verify=\(tlsVerify)", "--dest-tls-verify=\(tlsVerify)"]
        if all { arguments.append("--all") }
        if preserveDigests { arguments.append("--preserve-digests") }
        if scoped { arguments.append("--scoped") }
        if let sourceCreds { arguments += ["--src-creds", sourceCreds.colonSeparated] }
        if let destinationCreds { arguments += ["--dest-creds", destinationCreds.colonSeparated] }
        return try timedRun(arguments + extraArguments + [source, destination])
    }

    /// Forgets where skopeo saw blobs before (it would mount them instead of copying).
    public static func clearBlobInfoCache() {
        try? FileManager.default.removeItem(atPath: "/var/lib/containers/cache/blob-info-cache-v1.boltdb")
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        try? FileManager.default.removeItem(atPath: "\(home)/.local/share/containers/cache/blob-info-cache-v1.boltdb")
    }

    static func transport(_ reference: String) -> String {
        reference.contains("://") ? reference : "docker://\(reference)"
    }

    private static func run(_ arguments: [String]) throws -> Command.Output {
        try Command.run("skopeo", ["--insecure-policy"] + arguments, timeout: 600)
    }

    private static func timedRun(_ arguments: [String]) throws -> Run {
        let start = Date()
        let output = try run(arguments)
        return Run(arguments: arguments, stdout: output.stdoutText, stderr: output.stderrText,
                   duration: Date().timeIntervalSince(start))
    }
}

/// `sha256:<hex>` of `data`. TestSupport depends on no crypto package; coreutils does the hashing.
public func sha256Digest(_ data: Data) throws -> String {
    let output = try Command.run("sha256sum", ["-b", "-"], stdin: data).stdoutText
    guard let hex = output.split(separator: " ").first, hex.count == 64 else {
        throw ServiceError("sha256sum printed \(output)")
    }
    return "sha256:\(hex)"
}

/// The python3 the scripts run under, resolved once: a version-manager shim (pyenv) in PATH costs
/// a few hundred milliseconds per start otherwise.
enum Python {
    static let executable: String = {
        let probe = try? Command.run("python3", ["-c", "import sys; print(sys.executable)"])
        let path = probe?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return path.hasPrefix("/") ? path : "python3"
    }()
}

/// Runs a command-line tool to completion: the one way TestSupport calls openssl, htpasswd,
/// python3 scripts and skopeo.
enum Command {
    struct Output {
        let stdout: Data
        let stderr: Data
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Fails with the tool's stderr when it exits non-zero or outlives `timeout` seconds.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String]? = nil, timeout: TimeInterval = 120) throws -> Output {
        // A tool that exits before reading all of stdin must not take the test process down.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ServiceProcess.resolve(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin {
            DispatchQueue.global().async(group: group) {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        group.wait()
        let output = Output(stdout: outData, stderr: errData)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)" : "was killed"
            throw ServiceError("\(executable) \(arguments.joined(separator: " ")) \(how):\n\(output.stderrText)")
        }
        return output
    }
}
