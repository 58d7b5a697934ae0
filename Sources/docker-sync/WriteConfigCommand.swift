import ArgumentParser
import Config

struct WriteConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "writeConfig", abstract: "Write the default config file.")

    @Option(name: [.short, .customLong("output")], help: "Where to write it.")
    var output = "config.yaml"

    @Flag(help: "Replace an existing file.")
    var force = false

    func run() throws {
        do {
            try writeDefaultConfig(to: output, force: force)
        } catch let error as ConfigError {
            throw CommandFailure(error.description)
        }
        print("wrote \(output)")
    }
}
