#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// `--purge` into an `s3:` target in moto, read back through nginx with skopeo: the tag object
/// and `tags/list` at once, orphaned manifests and blobs only once older than the safety margin.
final class BucketPurgeTests: XCTestCase {
    func testPurgeDeletesTagObjectsRewritesTagListAndCollectsOnlyOldOrphans() throws {
        let source = try RegistryServer.start()
        let moto = try MotoServer.start()
        let bucket = "purged"
        try moto.createBucket(bucket)
        try moto.allowPublicReads(bucket)
        let nginx = try NginxServer.bucketRegistry(moto: moto, bucket: bucket)
        let pushed = try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "bucket/app", tag: "1.0", kind: .docker(layers: [900]), seed: 1300, baseLayer: 50_000),
            ImageSeeder.Image(repository: "bucket/app", tag: "2.0", kind: .ociIndex(layers: [700]), seed: 1301),
            ImageSeeder.Image(repository: "bucket/app", tag: "3.0", kind: .docker(layers: [800]), seed: 1302, baseLayer: 50_000),
        ])
        let image = Dictionary(uniqueKeysWithValues: pushed.map { ($0.tag, $0) })
        let environment = ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
                           "AWS_ENDPOINT_URL_S3": moto.endpoint.absoluteString]
        let arguments = ["sync", "-s", "\(source.host)/bucket/app", "-t", "s3:us-east-1:\(bucket):bucket/app"]
        XCTAssertEqual(try DockerSyncBinary.run(arguments, environment: environment).status, 0)
        func exists(_ key: String) throws -> Bool {
            let status = try moto.objectStatus(bucket: bucket, key: "v2/bucket/app/\(key)")
            XCTAssertTrue([200, 404].contains(status), "HEAD \(key): \(status)")
            return status == 200
        }
        let shared = try XCTUnwrap(Set(image["1.0"]!.blobs).intersection(image["3.0"]!.blobs).first, "the base layer")
        let onlyOne = Set(image["1.0"]!.blobs).subtracting([shared])

        // Default margin: the tag goes at once, its freshly written blobs stay.
        try source.deleteManifest(repository: "bucket/app", digest: image["1.0"]!.digest)
        let first = try DockerSyncBinary.run(arguments + ["--purge"], environment: environment)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.stdout.contains("1 purged"), first.stdout)
        XCTAssertFalse(try exists("manifests/1.0"))
        XCTAssertEqual(try Skopeo.listTags("\(nginx.host)/bucket/app"), ["2.0", "3.0"], "tags/list is rewritten")
        for blob in onlyOne { XCTAssertTrue(try exists("blobs/\(blob)"), "younger than an hour: \(blob) stays") }
        XCTAssertTrue(try exists("manifests/\(image["1.0"]!.digest)"))

        // No margin (the test override): every orphan goes, what 3.0 references stays.
        try source.deleteManifest(repository: "bucket/app", digest: image["2.0"]!.digest)
        let second = try DockerSyncBinary.run(arguments + ["--purge"], environment: environment.merging(["DOCKER_SYNC_PURGE_MIN_AGE": "0s"]) { $1 })
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.stdout.contains("1 purged"), second.stdout)
        XCTAssertEqual(try Skopeo.listTags("\(nginx.host)/bucket/app"), ["3.0"])
        let orphans = onlyOne.map { "blobs/\($0)" } + image["2.0"]!.blobs.map { "blobs/\($0)" }
            + ([image["1.0"]!.digest, image["2.0"]!.digest] + image["2.0"]!.manifests.map(\.digest)).map { "manifests/\($0)" }
        for key in orphans { XCTAssertFalse(try exists(key), "\(key) is an orphan") }
        for key in image["3.0"]!.blobs.map({ "blobs/\($0)" }) + ["manifests/\(image["3.0"]!.digest)", "manifests/3.0"] {
            XCTAssertTrue(try exists(key), "\(key) is still referenced")
        }
        try assertSameDigest("\(source.host)/bucket/app:3.0", "\(nginx.host)/bucket/app:3.0")
    }
}

/// A daemon keeps where it put each blob from cycle to cycle; a purge that collected a blob must
/// not leave that record saying the blob is still there.
final class BucketPurgeDaemonTests: XCTestCase {
    func testABlobCollectedByAPurgeIsUploadedAgainWhenANewTagNeedsIt() throws {
        let source = try RegistryServer.start()
        let moto = try MotoServer.start()
        let bucket = "repurged"
        try moto.createBucket(bucket)
        try moto.allowPublicReads(bucket)
        let old = try ImageSeeder(source).push(.docker(layers: [900]), repository: "cycle/app", tag: "1.0", seed: 1400, baseLayer: 40_000)
        let directory = try TemporaryDirectory()
        let config = try directory.write("config.yaml", """
            sync:
              interval: 2s
              images:
                - source: \(source.host)/cycle/app
                  purge: true
                  targets:
                    - s3:us-east-1:\(bucket):cycle/app
            """)
        let environment = ["AWS_ACCESS_KEY_ID": moto.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
                           "AWS_ENDPOINT_URL_S3": moto.endpoint.absoluteString, "DOCKER_SYNC_PURGE_MIN_AGE": "0s"]
        let daemon = try DockerSyncBinary.start(["--config", config], environment: environment)
        try daemon.waitForOutput("sync cycle finished")

        // The source drops 1.0 for 2.0, which shares its base layer: the purge deletes 1.0 and,
        // no tag referencing it any more, the base layer; 2.0 then needs it back.
        let new = try ImageSeeder(source).push(.docker(layers: [700]), repository: "cycle/app", tag: "2.0", seed: 1401, baseLayer: 40_000)
        try source.deleteManifest(repository: "cycle/app", digest: old.digest)
        let shared = try XCTUnwrap(Set(old.blobs).intersection(new.blobs).first, "the base layer")
        try daemon.waitForOutput("purged", timeout: 60)
        try daemon.waitForOutput("sync cycle finished", count: 3, timeout: 60)
        daemon.signal(SIGTERM)
        let run = try daemon.wait(timeout: 30)
        XCTAssertEqual(run.status, 0, run.output)
        for blob in new.blobs {
            let status = try moto.objectStatus(bucket: bucket, key: "v2/cycle/app/blobs/\(blob)")
            XCTAssertEqual(status, 200, "2.0's blob \(blob)\(blob == shared ? " (the shared base layer)" : "") is in the bucket")
        }
        XCTAssertEqual(try moto.objectStatus(bucket: bucket, key: "v2/cycle/app/manifests/1.0"), 404)
    }
}
