#if canImport(Glibc)
import Glibc
#endif
import Foundation
import YAML

/// A configuration read from a file, with what was ignored in it.
public struct LoadedConfig: Sendable, Equatable {
    public var config: Config
    /// Unknown keys and the like: worth printing, not worth failing for.
    public var warnings: [ConfigWarning]
    /// The file it was read from.
    public var path: String

    public init(config: Config, warnings: [ConfigWarning], path: String) {
        self.config = config
        self.warnings = warnings
        self.path = path
    }
}

extension Config {
    /// Reads a configuration from YAML text. `file` names it in errors and warnings;
    /// `${NAME}` in any value is replaced from `environment`.
    public static func parse(
        yaml: String, file: String = "config.yaml",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LoadedConfig {
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(yaml, file: file)
        } catch let error as YAMLError {
            throw ConfigError(error)
        }
        let substituted = try root.map { try EnvironmentSubstitution.apply(to: $0, environment: environment) }
        var decoder = ConfigDecoder()
        let config = try decoder.decode(substituted)
        let warnings = decoder.warnings.sorted { ($0.mark.line, $0.mark.column) < ($1.mark.line, $1.mark.column) }
        return LoadedConfig(config: config, warnings: warnings, path: file)
    }

    /// Loads the configuration from `path`, or when nil from the first of `searchPaths`
    /// that exists (by default `./config.yaml`, then `~/.docker-sync/config.yaml`).
    public static func load(
        path: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchPaths: [String]? = nil
    ) throws -> LoadedConfig {
        let file: String
        if let path {
            file = path
        } else {
            let candidates = searchPaths ?? defaultSearchPaths(environment: environment)
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ConfigError(mark: nil, message: "no config file found (looked for \(candidates.joined(separator: " and "))); "
                    + "create one with `docker-sync writeConfig -o config.yaml` or pass its path with --config")
            }
            file = found
        }
        return try parse(yaml: readText(file), file: file, environment: environment)
    }

    /// `./config.yaml`, then `~/.docker-sync/config.yaml` (home from `$HOME`).
    public static func defaultSearchPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return ["./config.yaml", (home as NSString).appendingPathComponent(".docker-sync/config.yaml")]
    }

    private static func readText(_ path: String) throws -> String {
        let here = YAMLMark(file: path, line: 0, column: 0)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(mark: here, message: "config file not found; create one with `docker-sync writeConfig -o \(path)`")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(mark: here, message: "is a directory, expected a config file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(mark: here, message: "cannot read the config file (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(mark: here, message: "the config file is not valid UTF-8 text")
        }
        return text
    }

    /// Writes this configuration as YAML to `path` (creating its directory), mode 0600
    /// since it may hold credentials. An existing file is replaced only with `force`.
    public func write(to path: String, force: Bool) throws {
        let here = YAMLMark(file: path, line: 0, column: 0)
        let manager = FileManager.default
        if manager.fileExists(atPath: path) && !force {
            throw ConfigError(mark: here, message: "already exists; not overwriting it (use --force to replace it)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try manager.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            try Self.replace(path, with: Array(renderYAML().utf8))
        } catch {
            throw ConfigError(mark: here, message: "cannot write the config file: \(error.localizedDescription)")
        }
    }
}

extension Config {
    /// Writes a sibling file created 0600 (never readable by others, even for a moment), then renames
    /// it over `path`. (Foundation's atomic write on Linux leaves a directory behind in /tmp.)
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                let code = POSIXErrorCode(rawValue: errno) ?? .EIO
                close(fd); unlink(temporary)
                throw POSIXError(code)
            }
            written += n
        }
        let synced = fsync(fd) == 0
        let closed = close(fd) == 0
        guard synced, closed, rename(temporary, path) == 0 else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EIO
            unlink(temporary)
            throw POSIXError(code)
        }
    }
}

/// Writes `Config.defaultConfig` to `path`, refusing to replace an existing file unless `force`.
public func writeDefaultConfig(to path: String, force: Bool) throws {
    try Config.defaultConfig.write(to: path, force: force)
}
