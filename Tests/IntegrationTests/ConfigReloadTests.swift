#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// The daemon takes an edited config.yaml at the next cycle without a restart, keeps running on the
/// last good one when an edit is broken, and re-reads the file on SIGHUP.
final class ConfigReloadTests: XCTestCase {
    func testTheDaemonSyncsAnAddedImageKeepsGoingOnABrokenEditAndReloadsOnSIGHUP() throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "reload/first", tag: "v1", kind: .docker(layers: [256]), seed: 910),
            ImageSeeder.Image(repository: "reload/second", tag: "v1", kind: .oci(layers: [256]), seed: 911),
        ])
        let directory = try TemporaryDirectory(prefix: "reload")
        let path = directory.file("config.yaml")
        func config(_ repositories: [String], level: String = "info") -> String {
            "logging:\n  colors: false\n  level: \(level)\nsync:\n  interval: 1s\n  images:\n" + repositories.map {
                "    - source: \(source.host)/reload/\($0)\n      targets: [\(target.host)/mirror/\($0)]\n"
            }.joined()
        }
        try replace(path, with: config(["first"]), in: directory)

        let daemon = try DockerSyncBinary.start(["--config", path])
        defer { daemon.signal(SIGKILL) }
        try daemon.waitForOutput("next sync")
        XCTAssertEqual(try target.manifestStatus(repository: "mirror/first", reference: "v1"), 200)

        try replace(path, with: config(["first", "second"]), in: directory)
        try daemon.waitForOutput("config reloaded from \(path): sync.images: added \(source.host)/reload/second")
        try waitUntil("mirror/second:v1 is on the target", timeout: 60) {
            try target.manifestStatus(repository: "mirror/second", reference: "v1") == 200
        }
        try assertSameDigest("\(source.host)/reload/second:v1", "\(target.host)/mirror/second:v1")

        try replace(path, with: config(["first"]) + "  maxerrors: many\n", in: directory)
        try daemon.waitForOutput("config not reloaded, keeping the running one: \(path):")
        XCTAssertTrue(daemon.output.contains("\(path):9:14: sync.maxerrors"), daemon.output)
        // Still syncing, both images: a tag pushed now reaches the target of the image the broken edit drops.
        try ImageSeeder(source).push([ImageSeeder.Image(repository: "reload/second", tag: "v2", kind: .oci(layers: [256]), seed: 912)])
        try waitUntil("mirror/second:v2 is on the target", timeout: 60) {
            try target.manifestStatus(repository: "mirror/second", reference: "v2") == 200
        }

        daemon.signal(SIGHUP)
        try daemon.waitForOutput("config not reloaded, keeping the running one: \(path):9:14", count: 2)
        XCTAssertFalse(daemon.output.contains(" DBG "))
        try replace(path, with: config(["first", "second"], level: "debug"), in: directory)
        try daemon.waitForOutput("config reloaded from \(path): logging.level INFO → DEBUG")
        try daemon.waitForOutput(" DBG ")
        daemon.signal(SIGHUP)
        try daemon.waitForOutput("config reloaded from \(path) on SIGHUP: nothing to apply")

        daemon.signal(SIGTERM)
        let run = try daemon.wait(timeout: 60)
        XCTAssertEqual(run.status, 0, run.output)
    }

    /// As a Kubernetes ConfigMap update does: a new file, renamed over the old one.
    private func replace(_ path: String, with text: String, in directory: TemporaryDirectory) throws {
        let incoming = directory.file("incoming.yaml")
        try text.write(toFile: incoming, atomically: false, encoding: .utf8)
        guard rename(incoming, path) == 0 else { throw ServiceError("rename: \(errno)") }
    }
}

/// Polls `condition` every 100 ms until it holds; throws naming `what` after `timeout` seconds.
func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        guard Date() < deadline else { throw ServiceError("timed out after \(Int(timeout)) s waiting until \(what)") }
        Thread.sleep(forTimeInterval: 0.1)
    }
}
