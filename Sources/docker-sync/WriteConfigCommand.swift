import ArgumentParser
import Config
import Foundation

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
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw CommandFailure(error.description).exit()
        }
        print("wrote \(output)")
    }
}
