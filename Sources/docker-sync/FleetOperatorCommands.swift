import ArgumentParser
import Config
import Fleet
import Foundation
import Queue
import Sync

struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue", abstract: "Put an ad-hoc sync of one image on the fleet's queue.")

    @OptionGroup var fleet: FleetOptions

    @Option(name: [.short, .long], help: "Source repository, optionally with :tag or @digest.")
    var source: String

    @Option(name: [.short, .long, .customLong("targets")], help: "Target repository (repeat or comma-separate for several).")
    var target: [String]

    @OptionGroup var tags: TagOptions

    @Flag(help: "Follow the sync to its end; exit non-zero if any tag failed.")
    var wait = false

    @Flag(help: "Delete target tags the tag filter no longer selects from the source (config: purge: true).")
    var purge = false

    func run() async throws {
        try await runRole {
            let config = try fleet.load(configRequired: false)
            let logger = try makeLogger(config)
            let image = try tags.image(source: source, targets: target, purge: purge)
            let backend = try await fleet.backend(config, logger: logger)
            let adHoc = AdHocSync(backend: backend)
            let cycle = try await adHoc.enqueue(image)
            print("enqueued \(image.source) → \(image.targets.joined(separator: ", ")) as \(cycle)")
            guard wait else { return }
            let outcomes = try await adHoc.wait(for: cycle)
            let report = CycleReport(cycle: cycle, outcomes: outcomes, transfers: .init(), duration: .zero)
            print(report.outcomeSummary)
            if !report.succeeded { throw ExitCode(1) }
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the fleet: leader, workers, queues, jobs in flight, retries, dead letters, halt.")

    @OptionGroup var fleet: FleetOptions

    func run() async throws {
        try await runRole {
            let config = try fleet.load(configRequired: false)
            let backend = try await fleet.backend(config, logger: try makeLogger(config))
            print(try await StatusReport.collect(backend).text)
        }
    }
}

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Inspect and requeue dead-lettered jobs.", subcommands: [Dead.self, Retry.self])

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dead", abstract: "List dead-lettered jobs.")
        @OptionGroup var fleet: FleetOptions
        @Option(help: "At most this many.") var limit = 100

        func run() async throws {
            try await runRole {
                let config = try fleet.load(configRequired: false)
                let backend = try await fleet.backend(config, logger: try makeLogger(config))
                let letters = try await backend.control.deadLetters(limit: limit)
                if letters.isEmpty { print("no dead letters") }
                let formatter = ISO8601DateFormatter()
                for letter in letters {
                    let status = letter.failure.status.map { " \($0)" } ?? ""
                    // `attempts` counts the failures before the one that buried the job.
                    print("\(letter.job.id)  \(formatter.string(from: Date(timeIntervalSince1970: letter.died)))  \(letter.job.kind.rawValue) "
                        + "\(letter.job.summary)  attempts \(letter.job.attempts + 1)  \(letter.failure.errorClass.rawValue)\(status): \(letter.failure.message)")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Requeue one dead-lettered job, or all of them.")
        @OptionGroup var fleet: FleetOptions
        @Argument(help: "The job id (from `jobs dead`).") var id: String?
        @Flag(help: "Requeue every dead letter.") var all = false

        func validate() throws {
            guard (id == nil) != !all else { throw ValidationError("give a job id or --all") }
        }

        func run() async throws {
            try await runRole {
                let config = try fleet.load(configRequired: false)
                let backend = try await fleet.backend(config, logger: try makeLogger(config))
                let count = try await backend.control.requeueDead(id: all ? nil : id)
                if count == 0, let id { throw CommandFailure("no dead letter with id \(id)", status: 1) }
                print("requeued \(count) job\(count == 1 ? "" : "s")")
            }
        }
    }
}

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "Control the fleet.", subcommands: [Resume.self])

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Clear a halt set by sync.maxerrors.")
        @OptionGroup var fleet: FleetOptions

        func run() async throws {
            try await runRole {
                let config = try fleet.load(configRequired: false)
                let backend = try await fleet.backend(config, logger: try makeLogger(config))
                let halt = try await backend.control.haltState()
                try await backend.control.resume()
                print(halt.map { "resumed (was halted: \($0.reason))" } ?? "the fleet was not halted")
            }
        }
    }
}
