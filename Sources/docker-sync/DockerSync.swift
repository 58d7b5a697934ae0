import ArgumentParser
import HTTP

@main
struct DockerSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docker-sync",
        abstract: "Keep container images in sync between registries.",
        version: dockerSyncVersion,
        subcommands: [
            DaemonCommand.self, SyncCommand.self, WriteConfigCommand.self, VersionCommand.self,
            SchedulerCommand.self, WorkerCommand.self, ReporterCommand.self, EnqueueCommand.self,
            StatusCommand.self, JobsCommand.self, FleetCommand.self,
        ],
        defaultSubcommand: DaemonCommand.self
    )

    static func main() async {
        await main(SyncShorthand.arguments(Array(CommandLine.arguments.dropFirst())))
    }
}
