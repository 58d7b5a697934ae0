import Foundation

/// The built `docker-sync` executable the process-level tests run: next to the running test bundle
/// (so any `--scratch-path` works), else under a `.build*` directory of the package;
/// `DOCKER_SYNC_BINARY` overrides both.
public enum DockerSyncExecutable {
    public static let located: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["DOCKER_SYNC_BINARY"] { return path }
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL.deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        let root = URL(fileURLWithPath: SourceTree.root)
        let builds = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        candidates += builds.filter { $0.hasPrefix(".build") }.map { root.appendingPathComponent("\($0)/debug") }
        return candidates.map { $0.appendingPathComponent("docker-sync").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The path, or an error that fails the test (`swift test` builds the executable with the tests).
    public static func path() throws -> String {
        guard let located else {
            throw ServiceError("docker-sync is not built next to the tests; run `swift build` first or set DOCKER_SYNC_BINARY")
        }
        return located
    }
}
