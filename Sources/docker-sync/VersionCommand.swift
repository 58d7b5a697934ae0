import ArgumentParser
import HTTP

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("docker-sync \(dockerSyncVersion)")
    }
}
