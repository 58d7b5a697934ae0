import Foundation
import TestSupport
import XCTest

/// A bucket target synced by the Redis fleet: the same jobs as the embedded engine; the worker
/// resolves the bucket's credentials from its own environment and none reaches Redis.
final class BucketFleetTests: XCTestCase {
    func testAWorkerSyncsIntoABucketWithoutItsSecretReachingRedis() async throws {
        let source = try RegistryServer.start()
        let moto = try MotoServer.start()
        try moto.createBucket("fleet-bucket")
        try moto.allowPublicReads("fleet-bucket")
        let nginx = try NginxServer.bucketRegistry(moto: moto, bucket: "fleet-bucket")
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "fleet/app", tag: "1.0", kind: .docker(layers: [2048]), seed: 4700),
            ImageSeeder.Image(repository: "fleet/app", tag: "2.0", kind: .ociIndex(layers: [2048]), seed: 4701),
        ])
        let secret = "bucket-secret-\(UUID().uuidString.prefix(12))"
        let fleet = try Fleet()
        let config = try fleet.config("")
        let worker = try fleet.start("worker", ["worker"], config: config, environment: [
            "AWS_ACCESS_KEY_ID": "fleet-key", "AWS_SECRET_ACCESS_KEY": secret, "AWS_ENDPOINT_URL_S3": moto.endpoint.absoluteString,
        ])

        let run = try await fleet.run(["enqueue", "-s", "\(source.host)/fleet/app", "-t", "s3:us-east-1:fleet-bucket:fleet/app", "--wait"],
                                      config: config)
        XCTAssertEqual(run.status, 0, run.output + worker.output)
        for tag in ["1.0", "2.0"] {
            try assertSameDigest("\(source.host)/fleet/app:\(tag)", "\(nginx.host)/fleet/app:\(tag)")
        }
        let stored = try await RedisDump.everything(fleet.client)
        XCTAssertTrue(stored.text.contains("s3:us-east-1:fleet-bucket:fleet/app"), "jobs name the bucket target")
        XCTAssertFalse(stored.text.contains(secret), "the bucket's secret is in Redis")
        XCTAssertFalse(worker.output.contains(secret), "the bucket's secret is in the worker's log")
    }
}
