/// The original's README runs a one-off sync without the subcommand
/// (`docker-sync --source … --target …`): arguments that start with an option and name a source go
/// to `sync`, not to the daemon (which takes no source).
enum SyncShorthand {
    static func arguments(_ arguments: [String]) -> [String] {
        guard arguments.first?.hasPrefix("-") == true,
              arguments.contains(where: { $0 == "-s" || $0 == "--source" || $0.hasPrefix("--source=") })
        else { return arguments }
        return ["sync"] + arguments
    }
}
