import Foundation
import TestSupport
import XCTest

/// Purge through the Redis fleet: the image job, taken by a worker, deletes what the source lost.
final class PurgeFleetTests: XCTestCase {
    func testAWorkerPurgesWhatTheSourceNoLongerHas() async throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        let pushed = try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "fleet/purge", tag: "1.0", kind: .docker(layers: [512]), seed: 4800),
            ImageSeeder.Image(repository: "fleet/purge", tag: "2.0", kind: .docker(layers: [512]), seed: 4801),
        ])
        let fleet = try Fleet()
        let config = try fleet.config("")
        let worker = try fleet.start("worker", ["worker"], config: config)
        let enqueue = ["enqueue", "-s", "\(source.host)/fleet/purge", "-t", "\(target.host)/fleet/purge", "--wait"]
        let first = try await fleet.run(enqueue, config: config)
        XCTAssertEqual(first.status, 0, first.output + worker.output)

        try source.deleteManifest(repository: "fleet/purge", digest: pushed[0].digest)
        let purge = try await fleet.run(enqueue + ["--purge"], config: config)
        XCTAssertEqual(purge.status, 0, purge.output + worker.output)
        XCTAssertTrue(purge.stdout.contains("1 purged"), purge.stdout)
        XCTAssertTrue(worker.output.contains("purged"), worker.output)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/fleet/purge"), ["2.0"])
        try assertSameDigest("\(source.host)/fleet/purge:2.0", "\(target.host)/fleet/purge:2.0")
    }
}
