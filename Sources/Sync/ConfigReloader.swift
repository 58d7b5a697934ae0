import Config
import Foundation
import Logging
import OCI
import Telemetry

/// The config a long-running process runs with, and what it derived from it.
public struct LiveConfig: Sendable {
    public let config: Config
    public let setup: SyncSetup
    /// Goes up by one per accepted reload, so a role can tell it has something to rebuild.
    public let generation: Int
}

/// Re-reads the config file of a long-running process (daemon, fleet roles) when asked: at a cycle
/// boundary, periodically, or on SIGHUP. A change is detected by the file's content hash, not its
/// mtime, since a Kubernetes ConfigMap update swaps a symlink. A new config that parses and sets up
/// becomes `current`; one that does not is logged with its file:line:column and the last good one
/// stays; a missing file (mid-swap) is looked for again at the next check, and so is one that parses
/// but cannot be set up yet (a Secret with its AWS keys mounted after the ConfigMap). Keys that only a restart
/// applies (`ConfigChanges.needRestart`) keep their running value.
public final class ConfigReloader: @unchecked Sendable {
    public enum Trigger: Sendable { case check, hangup }

    /// Builds what the process runs with from a config; throwing rejects the config.
    public typealias Setup = @Sendable (Config) throws -> SyncSetup

    private let path: String?
    private let prepare: @Sendable (Config) -> Config
    private let makeSetup: Setup
    private let environment: [String: String]
    private let logger: Logger
    private let lock = NSLock()
    private var live: LiveConfig
    /// The content last looked at, accepted or rejected: it is not parsed (nor its error logged) again.
    private var seen: Digest?
    /// Content that parsed but could not be set up (say, `helper: ecr` before the AWS keys it needs are
    /// mounted), and why: tried again at each check, since what it lacks may appear; logged once.
    private var notSetUp: (digest: Digest, error: String)?
    private var reportedMissing = false

    /// `path` is the file `config` was read from (nil: none, nothing to watch); `prepare` applies what
    /// the command line overrides (e.g. `--redis`) to every config read.
    public init(path: String?, config: Config, setup: SyncSetup, prepare: @escaping @Sendable (Config) -> Config = { $0 },
                environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger,
                makeSetup: @escaping Setup) {
        self.path = path; self.prepare = prepare; self.makeSetup = makeSetup
        self.environment = environment; self.logger = logger
        live = LiveConfig(config: config, setup: setup, generation: 0)
        seen = path.flatMap { FileManager.default.contents(atPath: $0) }.map { Digest.sha256(of: Array($0)) }
    }

    /// What new work runs with.
    public var current: LiveConfig { lock.withLock { live } }

    /// Reads the file again and switches to it when its content changed (or on SIGHUP) and it is good.
    /// Returns the new config when one was accepted.
    @discardableResult
    public func check(_ trigger: Trigger = .check) -> LiveConfig? {
        guard let path else {
            if trigger == .hangup { logger.info("SIGHUP: no config file to reload") }
            return nil
        }
        return lock.withLock {
            guard let data = FileManager.default.contents(atPath: path) else {
                if !reportedMissing || trigger == .hangup {
                    logger.warning("config file \(path) is missing; keeping the running config and looking again at the next check")
                }
                reportedMissing = true
                return nil
            }
            reportedMissing = false
            let digest = Digest.sha256(of: Array(data))
            let retry = notSetUp?.digest == digest && trigger != .hangup
            guard digest != seen || trigger == .hangup || retry else { return nil }
            seen = digest
            return reload(data, path: path, trigger: trigger, digest: digest, quietly: retry)
        }
    }

    /// `quietly`: the same content is tried again after it could not be set up; only a new error is logged.
    private func reload(_ data: Data, path: String, trigger: Trigger, digest: Digest, quietly: Bool) -> LiveConfig? {
        do {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(mark: nil, message: "\(path): the config file is not valid UTF-8 text")
            }
            let previous = notSetUp
            notSetUp = nil
            let loaded = try Config.parse(yaml: text, file: path, environment: environment)
            if !quietly { for warning in loaded.warnings { logger.warning("\(warning)") } }
            let read = prepare(loaded.config)
            let changes = ConfigChanges(from: live.config, to: read)
            let config = read.keepingRestartOnlyKeys(of: live.config)
            var setup: SyncSetup
            do {
                setup = try makeSetup(config)
            } catch {
                notSetUp = (digest, "\(error)")
                if quietly && previous?.error == "\(error)" { return nil }
                throw error
            }
            if !changes.registriesChanged { setup = setup.keeping(live.setup.registries) }
            report(changes, path: path, trigger: trigger)
            guard !changes.applied.isEmpty else { return nil }
            if config.logging.level != live.config.logging.level { LoggingSetup.setLevel(config.logging.level) }
            live = LiveConfig(config: config, setup: setup, generation: live.generation + 1)
            return live
        } catch {
            logger.error("config not reloaded, keeping the running one: \(error)")
            return nil
        }
    }

    private func report(_ changes: ConfigChanges, path: String, trigger: Trigger) {
        let why = trigger == .hangup ? " on SIGHUP" : ""
        if !changes.needRestart.isEmpty {
            let keys = changes.needRestart.joined(separator: ", ")
            logger.warning("config reload\(why): \(keys) changed, which needs a restart; keeping the running value")
        }
        if changes.applied.isEmpty {
            logger.info("config reloaded from \(path)\(why): nothing to apply")
        } else {
            logger.info("config reloaded from \(path)\(why): \(changes.applied.joined(separator: "; "))")
        }
    }
}
