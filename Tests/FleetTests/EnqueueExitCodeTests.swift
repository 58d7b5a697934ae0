import Foundation
import TestSupport
import XCTest

/// `docker-sync enqueue --wait` as a CI job runs it: 0 when the fleet synced the image, 1 when a
/// tag failed (saying which and why), 2 for input it cannot take.
final class EnqueueExitCodeTests: XCTestCase {
    func testWaitExitsZeroOnceTheFleetHasSyncedEveryTag() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "enq/app", tag: "1.0", kind: .docker(layers: [2048]), seed: 4100),
            ImageSeeder.Image(repository: "enq/app", tag: "2.0", kind: .ociIndex(layers: [2048]), seed: 4101),
        ])
        let config = try fleet.config("")
        try fleet.start("worker", ["worker"], config: config)

        let run = try await fleet.run(["enqueue", "-s", "\(source.host)/enq/app", "-t", "\(target.host)/enq/copy", "--wait"],
                                      config: config)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.stdout.contains("enqueued \(source.host)/enq/app"), run.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/enq/copy"), ["1.0", "2.0"])
        for tag in ["1.0", "2.0"] {
            try assertSameDigest("\(source.host)/enq/app:\(tag)", "\(target.host)/enq/copy:\(tag)")
        }
    }

    func testWaitExitsOneNamingTheTagThatFailed() async throws {
        let fleet = try Fleet()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        try ImageSeeder(source).push(.oci(layers: [1024]), repository: "enq/legacy", tag: "new", seed: 4102)
        let body = ImageSeeder.schema1Manifest(repository: "enq/legacy", tag: "old")
        let proxy = try FaultProxy.start(upstream: source, faults: try ["old", sha256Digest(body)].map {
            try .serveManifest(repository: "enq/legacy", reference: $0, body: body, mediaType: ImageSeeder.schema1MediaType)
        })
        let config = try fleet.config("")
        try fleet.start("worker", ["worker"], config: config)

        let run = try await fleet.run(["enqueue", "-s", "\(proxy.host)/enq/legacy", "-t", "\(target.host)/enq/legacy",
                                       "-o", "new,old", "--wait"], config: config)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.stdout.contains("1 synced"), run.stdout)
        let failed = run.stdout.split(separator: "\n").filter { $0.contains("FAILED") }
        XCTAssertEqual(failed.count, 1, run.stdout)
        let line = String(failed.first ?? "").lowercased()
        XCTAssertTrue(line.contains("enq/legacy:old"), line)
        XCTAssertTrue(line.contains("schema 1") && line.contains("not support"), "the reason is printed: \(line)")
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/enq/legacy"), ["new"])
        try assertSameDigest("\(source.host)/enq/legacy:new", "\(target.host)/enq/legacy:new")
    }

    func testABadReferenceExitsTwoAndEnqueuesNothing() async throws {
        let fleet = try Fleet()
        let config = try fleet.config("")

        let run = try await fleet.run(["enqueue", "-s", "127.0.0.1:5000/Upper/Case", "-t", "127.0.0.1:5000/ok", "--wait"],
                                      config: config, timeout: 30)
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.stderr.hasPrefix("error: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("127.0.0.1:5000/Upper/Case"), run.stderr)
        let pending = try await fleet.send("LLEN", fleet.key("pending:image")).int
        XCTAssertEqual(pending, 0, "nothing was enqueued")
    }
}
