#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// A running fleet takes an edited config.yaml without a restart: the scheduler enqueues an image
/// added to it, and the workers push with a target's rotated password.
final class ConfigReloadFleetTests: XCTestCase {
    func testAnAddedImageIsSyncedAndTheWorkerUsesRotatedCredentials() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let oldLogin = RegistryLogin(username: "bob", password: "first-\(UUID().uuidString.prefix(8))")
        let newLogin = RegistryLogin(username: "bob", password: "second-\(UUID().uuidString.prefix(8))")
        var target = try RegistryServer.start(auth: .htpasswd(username: oldLogin.username, password: oldLogin.password))
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "reload/first", tag: "v1", kind: .docker(layers: [512]), seed: 4700),
            ImageSeeder.Image(repository: "reload/second", tag: "v1", kind: .ociIndex(layers: [512]), seed: 4701),
        ])
        func sections(_ repositories: [String], password: String) -> String {
            """
            sync:
              interval: 2s
              maxerrors: 0
              retry: {attempts: 2, initialbackoff: 100ms, maxbackoff: 200ms}
              registries:
                - {name: target, url: \(target.host), auth: {username: bob, password: \(password)}}
              images:
            \(repositories.map { "    - {source: \(source.host)/reload/\($0), targets: [\(target.host)/mirror/\($0)]}" }.joined(separator: "\n"))
            """
        }
        let config = try fleet.config(sections(["first"], password: oldLogin.password))
        let scheduler = try fleet.start("scheduler", ["scheduler"], config: config)
        let worker = try fleet.start("worker", ["worker"], config: config)
        try await eventually("mirror/first:v1 is on the target", timeout: 60, interval: .milliseconds(200)) {
            (try? Skopeo.inspectDigest("\(target.host)/mirror/first:v1", creds: oldLogin)) != nil
        }

        // The target's password is rotated, and the config (a new file renamed over it, as a ConfigMap
        // update does) gets the new password and a second image.
        target = try target.restarted(auth: .htpasswd(username: newLogin.username, password: newLogin.password))
        let incoming = try fleet.config(sections(["first", "second"], password: newLogin.password), name: "incoming.yaml")
        XCTAssertEqual(rename(incoming, config), 0)
        try ImageSeeder(source).push([ImageSeeder.Image(repository: "reload/first", tag: "v2", kind: .docker(layers: [512]), seed: 4702)])

        try await worker.waitForOutput("credentials of \(target.host) changed", timeout: 30)
        try await scheduler.waitForOutput("sync.images: added \(source.host)/reload/second", timeout: 30)
        for reference in ["mirror/second:v1", "mirror/first:v2"] {
            try await eventually("\(reference) is on the target", timeout: 60, interval: .milliseconds(200)) {
                (try? Skopeo.inspectDigest("\(target.host)/\(reference)", creds: newLogin)) != nil
            }
        }
        try assertSameDigest("\(source.host)/reload/second:v1", "\(target.host)/mirror/second:v1", targetCreds: newLogin)
        for process in [worker, scheduler] {
            XCTAssertFalse(process.output.contains(newLogin.password), "no secret is logged")
            XCTAssertFalse(process.output.contains(oldLogin.password), "no secret is logged")
        }
    }
}
