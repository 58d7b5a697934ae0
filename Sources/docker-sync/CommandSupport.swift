import ArgumentParser
import Config
import Foundation
import Logging
import Sync
import Telemetry

/// An error printed as is, with exit status 2 (bad input) unless told otherwise.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32
    init(_ description: String, status: Int32 = 2) { self.description = description; self.status = status }
}

extension CommandFailure {
    func exit() -> ExitCode { ExitCode(status) }
}

/// Loads the config named by `--config` (or found in the default places); prints its warnings.
func loadConfig(_ path: String?, required: Bool) throws -> Config {
    try loadConfigFile(path, required: required).config
}

/// The config and the file it came from (nil when none was required and none was found).
func loadConfigFile(_ path: String?, required: Bool) throws -> (config: Config, path: String?) {
    do {
        let loaded = try Config.load(path: path)
        for warning in loaded.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        return (loaded.config, loaded.path)
    } catch let error as ConfigError {
        if !required && path == nil && error.mark == nil { return (Config(), nil) }
        throw CommandFailure(error.description)
    }
}

/// The first step of every long-running command: until `reloadOnHangup` (or `logHangups`) takes
/// SIGHUP over, a SIGHUP — an operator's `pkill -HUP docker-sync` after editing the config —
/// must not end a process that is still connecting to Redis or reading its config.
func ignoreHangups() {
    signal(SIGHUP, SIG_IGN)
}

/// SIGHUP re-reads the config file at once (see `ConfigReloader`).
func reloadOnHangup(_ reloader: ConfigReloader) -> DispatchSourceSignal {
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    source.setEventHandler { reloader.check(.hangup) }
    source.resume()
    return source
}

/// A `--once` run reads its config once: SIGHUP is logged and changes nothing.
func logHangups(_ logger: Logger) -> DispatchSourceSignal {
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    source.setEventHandler { logger.notice("SIGHUP ignored: a --once run reads its config once; the next run reads the edit") }
    source.resume()
    return source
}

func makeLogger(_ config: Config) throws -> Logger {
    do {
        try LoggingSetup.bootstrap(config.logging)
    } catch {
        throw CommandFailure("\(error)")
    }
    return Logger(label: "docker-sync")
}

/// SIGINT / SIGTERM set the flag: stop taking work, finish what is in flight.
func stopOnSignals(_ stop: StopFlag) -> [DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { signalNumber in
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { stop.set() }
        source.resume()
        return source
    }
}
