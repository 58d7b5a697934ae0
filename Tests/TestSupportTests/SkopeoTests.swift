import TestSupport
import XCTest

/// The skopeo wrappers report what is at a tag, not what a platform resolves to.
final class SkopeoTests: XCTestCase {
    func testInspectDigestIsTheIndexDigestNotAPlatformImage() throws {
        let registry = try RegistryServer.start()
        let index = try ImageSeeder(registry).push(.ociIndex(layers: [128]), repository: "sk/multi", tag: "v1")
        let digest = try Skopeo.inspectDigest("\(registry.host)/sk/multi:v1")
        XCTAssertEqual(digest, index.digest)
        XCTAssertFalse(index.manifests.map(\.digest).contains(digest))
    }

    func testSyncCopiesEveryTagOfARepositoryWithDigestsPreserved() throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start(auth: .htpasswd(username: "bench", password: "mark"))
        let pushed = try ImageSeeder(source).push([
            .init(repository: "sk/app", tag: "a", kind: .dockerManifestList(layers: [256]), seed: 1),
            .init(repository: "sk/app", tag: "b", kind: .oci(layers: [256]), seed: 2),
        ])
        Skopeo.clearBlobInfoCache()
        let run = try Skopeo.sync(source: "\(source.host)/sk/app", destination: "\(target.host)/mirror",
                                  destinationCreds: target.credentials)
        XCTAssertGreaterThan(run.duration, 0)
        XCTAssertEqual(try Skopeo.listTags("\(target.host)/mirror/app", creds: target.credentials), ["a", "b"])
        for image in pushed {
            XCTAssertEqual(try Skopeo.inspectDigest("\(target.host)/mirror/app:\(image.tag)", creds: target.credentials),
                           image.digest)
        }
    }
}
