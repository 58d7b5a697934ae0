import TestSupport
import XCTest

/// Every kind the seeder pushes is readable by skopeo, at the digests the seeder returned.
final class ImageSeederTests: XCTestCase {
    private var registry: RegistryServer!

    override func setUpWithError() throws {
        registry = try RegistryServer.start()
    }

    // XCTest keeps test case instances for the whole run: release the servers now.
    override func tearDown() {
        registry = nil
    }

    func testEveryKindIsReadableBySkopeoAtTheReturnedDigest() throws {
        let seeder = ImageSeeder(registry)
        let kinds: [(String, ImageSeeder.Kind, String)] = [
            ("docker", .docker(layers: [1024, 65536]), "application/vnd.docker.distribution.manifest.v2+json"),
            ("oci", .oci(layers: [2048]), "application/vnd.oci.image.manifest.v1+json"),
            ("list", .dockerManifestList(layers: [512]), "application/vnd.docker.distribution.manifest.list.v2+json"),
            ("index", .ociIndex(layers: [512]), "application/vnd.oci.image.index.v1+json"),
            ("nested", .nestedIndex(layers: [512]), "application/vnd.oci.image.index.v1+json"),
            ("artifact", .artifact(layers: [256]), "application/vnd.oci.image.manifest.v1+json"),
            ("pretty", .prettyPrinted(layers: [256]), "application/vnd.oci.image.manifest.v1+json"),
            ("big", .big(layerSize: 3 << 20), "application/vnd.docker.distribution.manifest.v2+json"),
        ]
        let pushed = try seeder.push(kinds.enumerated().map { index, kind in
            ImageSeeder.Image(repository: "seed/\(kind.0)", tag: "t1", kind: kind.1, seed: index)
        })
        for ((name, _, mediaType), image) in zip(kinds, pushed) {
            XCTAssertEqual(image.mediaType, mediaType, name)
            XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/seed/\(name):t1"), image.digest, name)
            XCTAssertEqual(try Skopeo.listTags("\(registry.host)/seed/\(name)"), ["t1"], name)
            for child in image.manifests {
                XCTAssertEqual(try Skopeo.inspectDigest("\(registry.host)/seed/\(name)@\(child.digest)"), child.digest, name)
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: zip(kinds.map(\.0), pushed))
        XCTAssertEqual(byName["list"]?.manifests.compactMap(\.platform?.architecture), ["amd64", "arm64"])
        XCTAssertEqual(byName["nested"]?.manifests.count, 4) // amd64, arm64, inner index, s390x
        XCTAssertEqual(byName["big"]?.blobs.count, 2)
    }

    func testArtifactKeepsItsConfigMediaTypeAndArtifactType() throws {
        let image = try ImageSeeder(registry).push(
            .artifact(configMediaType: "application/vnd.example.config.v1+json", artifactType: "application/vnd.example.sbom.v1",
                      layers: [100]), repository: "seed/artifact", tag: "sbom")
        let raw = try Skopeo.inspectRaw("\(registry.host)/seed/artifact:sbom")
        struct Manifest: Decodable {
            struct Config: Decodable { let mediaType: String }
            let artifactType: String
            let config: Config
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: raw)
        XCTAssertEqual(manifest.artifactType, "application/vnd.example.sbom.v1")
        XCTAssertEqual(manifest.config.mediaType, "application/vnd.example.config.v1+json")
        XCTAssertEqual(try sha256Digest(raw), image.digest)
    }

    func testPrettyPrintedManifestIsStoredByteForByte() throws {
        let image = try ImageSeeder(registry).push(.prettyPrinted(layers: [100]), repository: "seed/pretty", tag: "p")
        let raw = String(decoding: try Skopeo.inspectRaw("\(registry.host)/seed/pretty:p"), as: UTF8.self)
        XCTAssertTrue(raw.hasPrefix("{\n   \"schemaVersion\": 2"))
        XCTAssertEqual(raw.utf8.count, image.size)
    }

    func testSameSeedGivesSameDigestsAndSeedsDiffer() throws {
        let other = try RegistryServer.start()
        let first = try ImageSeeder(registry).push(.oci(layers: [4096]), repository: "a/b", tag: "x", seed: 7)
        let again = try ImageSeeder(other).push(.oci(layers: [4096]), repository: "c/d", tag: "y", seed: 7)
        let different = try ImageSeeder(registry).push(.oci(layers: [4096]), repository: "a/b", tag: "z", seed: 8)
        XCTAssertEqual(first.blobs.last, again.blobs.last)
        XCTAssertNotEqual(first.blobs.last, different.blobs.last)
        XCTAssertNotEqual(first.digest, different.digest)
    }

    func testSharedBaseLayerIsTheSameBlobInEveryImage() throws {
        let pushed = try ImageSeeder(registry).push([
            .init(repository: "base/one", tag: "1", kind: .docker(layers: [1000]), seed: 1, baseLayer: 50_000),
            .init(repository: "base/two", tag: "1", kind: .oci(layers: [1000]), seed: 2, baseLayer: 50_000),
        ])
        // blobs = [config, base, own layer]
        XCTAssertEqual(pushed[0].blobs[1], pushed[1].blobs[1])
        XCTAssertNotEqual(pushed[0].blobs[2], pushed[1].blobs[2])
    }

    func testSeedsThroughTokenAuth() throws {
        let tokens = try TokenServer.start(expiresIn: 60)
        let secured = try RegistryServer.start(auth: .token(tokens))
        let image = try ImageSeeder(secured).push(.dockerManifestList(layers: [1024]), repository: "tok/app", tag: "v1")
        XCTAssertEqual(try Skopeo.inspectDigest("\(secured.host)/tok/app:v1", creds: secured.credentials), image.digest)
        XCTAssertTrue(try tokens.requests().contains { $0.requestedActions(repository: "tok/app") == ["pull", "push"] })
    }
}
