import ArgumentParser
import Config
import Foundation
import Sync

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Sync every image of the config every sync.interval (the default command).")

    @Option(help: "The config file (default: ./config.yaml, then ~/.docker-sync/config.yaml).")
    var config: String?

    func run() async throws {
        do {
            let config = try loadConfig(self.config, required: true)
            let logger = try makeLogger(config)
            let setup = try SyncSetup(config: config, logger: logger)
            let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger)
            let stop = StopFlag()
            let signals = stopOnSignals(stop)
            defer { signals.forEach { $0.cancel() } }
            let daemon = Daemon(engine: engine, images: setup.images, interval: config.sync.interval.duration,
                                maxErrors: config.sync.maxErrors, logger: logger)
            if case .tooManyErrors = try await daemon.run(stop: stop) { throw ExitCode(1) }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw failure.exit()
        }
    }
}
