import ArgumentParser
import Config
import Foundation
import Queue
import Sync
import Telemetry

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync one image once, then exit (0 only when everything synced).")

    @Option(name: [.short, .long], help: "Source repository, optionally with :tag or @digest.")
    var source: String

    @Option(name: [.short, .long, .customLong("targets")], help: "Target repository (repeat or comma-separate for several).")
    var target: [String]

    @OptionGroup var tagOptions: TagOptions

    @OptionGroup var credentials: CredentialOptions

    @Flag(help: "Print what would be copied; copy nothing.")
    var dryRun = false

    @Flag(help: "Delete target tags the tag filter no longer selects from the source (config: purge: true).")
    var purge = false

    @Option(help: "Jobs (tags and blobs) in flight at once.")
    var concurrency: Int?

    @Option(help: "A config file for logging and sync.registries (optional).")
    var config: String?

    func run() async throws {
        do {
            let config = try loadConfig(self.config, required: self.config != nil)
            let logger = try makeLogger(config)
            let image = try tagOptions.image(source: source, targets: target, purge: purge)
            let setup = try SyncSetup(config: config, images: [image], overrides: credentials.overrides(),
                                      dryRun: dryRun, concurrency: concurrency, logger: logger)
            let statistics = TransferStatistics()
            let progress = ProgressLine.onTerminal {
                let figures = statistics.snapshot
                return (figures.tagsPlanned, figures.bytesCopied)
            }
            let engine = SyncEngine(registries: setup.registries, options: setup.options, logger: logger,
                                    statistics: statistics, onOutcome: { outcome in
                                        if ![.purged, .purgePlanned].contains(outcome.status) { progress?.record(outcome.status) }
                                    })
            let stop = StopFlag()
            let signals = stopOnSignals(stop)
            defer { signals.forEach { $0.cancel() } }
            let report = try await engine.runCycle(setup.images, stop: stop)
            progress?.finish()
            print(report.summary)
            if dryRun { report.plannedLines.forEach { print($0) } }
            if !report.succeeded || stop.isSet { throw ExitCode(1) }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw failure.exit()
        } catch let error as CredentialHelperError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw CommandFailure(error.description).exit()
        }
    }
}

struct CredentialOptions: ParsableArguments {
    @Option(help: "Source registry username (env DOCKER_SYNC_SOURCE_USERNAME).") var sourceUsername: String?
    @Option(help: "Source registry password (env DOCKER_SYNC_SOURCE_PASSWORD).") var sourcePassword: String?
    @Option(help: "Source registry token (env DOCKER_SYNC_SOURCE_TOKEN).") var sourceToken: String?
    @Option(help: "Source credential helper (env DOCKER_SYNC_SOURCE_HELPER).") var sourceHelper: String?
    @Option(help: "Target registry username (env DOCKER_SYNC_TARGET_USERNAME).") var targetUsername: String?
    @Option(help: "Target registry password (env DOCKER_SYNC_TARGET_PASSWORD).") var targetPassword: String?
    @Option(help: "Target registry token (env DOCKER_SYNC_TARGET_TOKEN).") var targetToken: String?
    @Option(help: "Target credential helper (env DOCKER_SYNC_TARGET_HELPER).") var targetHelper: String?
    @Flag(help: "Talk plain HTTP to the source registry.") var sourceInsecure = false
    @Flag(help: "Talk plain HTTP to the target registries.") var targetInsecure = false

    func overrides(environment: [String: String] = ProcessInfo.processInfo.environment) -> [RegistryOverride] {
        func value(_ flag: String?, _ name: String) -> String { flag ?? environment["DOCKER_SYNC_\(name)"] ?? "" }
        let source = RegistryAuth(username: value(sourceUsername, "SOURCE_USERNAME"), password: value(sourcePassword, "SOURCE_PASSWORD"),
                                  token: value(sourceToken, "SOURCE_TOKEN"), helper: value(sourceHelper, "SOURCE_HELPER"))
        let target = RegistryAuth(username: value(targetUsername, "TARGET_USERNAME"), password: value(targetPassword, "TARGET_PASSWORD"),
                                  token: value(targetToken, "TARGET_TOKEN"), helper: value(targetHelper, "TARGET_HELPER"))
        return [RegistryOverride(role: .source, auth: source, insecure: sourceInsecure),
                RegistryOverride(role: .target, auth: target, insecure: targetInsecure)]
    }
}

