import XCTest
@testable import OCI

/// Manifest documents as registries serve them, built with explicit digests.
enum Fixtures {
    static let config = Digest.sha256(of: Array("config".utf8))
    static let layer1 = Digest.sha256(of: Array("layer1".utf8))
    static let layer2 = Digest.sha256(of: Array("layer2".utf8))

    static func imageManifest(mediaTypeField: Bool = true, docker: Bool = false) -> String {
        let type = docker ? MediaType.dockerManifest : MediaType.ociManifest
        let layerType = docker ? MediaType.dockerLayer : MediaType.ociLayerGzip
        return """
        {
          "schemaVersion": 2,
          \(mediaTypeField ? "\"mediaType\": \"\(type)\"," : "")
          "config": {"mediaType": "\(docker ? MediaType.dockerConfig : MediaType.ociConfig)", "digest": "\(config)", "size": 6},
          "layers": [
            {"mediaType": "\(layerType)", "digest": "\(layer1)", "size": 6},
            {"mediaType": "\(layerType)", "digest": "\(layer2)", "size": 6, "annotations": {"a": "b"}}
          ]
        }
        """
    }

    static func index(children: [(Digest, MediaType, String, String)], mediaTypeField: Bool = true) -> String {
        let entries = children.map { digest, type, os, arch in
            "{\"mediaType\": \"\(type)\", \"digest\": \"\(digest)\", \"size\": 100, \"platform\": {\"os\": \"\(os)\", \"architecture\": \"\(arch)\", \"os.version\": \"10.0\"}}"
        }
        return """
        {"schemaVersion": 2, \(mediaTypeField ? "\"mediaType\": \"\(MediaType.ociIndex)\"," : "") "manifests": [\(entries.joined(separator: ","))]}
        """
    }
}

final class ManifestTests: XCTestCase {
    func testParsesAnOCIImageManifest() throws {
        let bytes = Array(Fixtures.imageManifest().utf8)
        let manifest = try ParsedManifest(bytes: bytes, contentType: "application/vnd.oci.image.manifest.v1+json")
        XCTAssertEqual(manifest.kind, .image)
        XCTAssertEqual(manifest.mediaType, .ociManifest)
        XCTAssertEqual(manifest.config?.digest, Fixtures.config)
        XCTAssertEqual(manifest.layers.map(\.digest), [Fixtures.layer1, Fixtures.layer2])
        XCTAssertEqual(manifest.layers[1].annotations, ["a": "b"])
        XCTAssertEqual(manifest.blobs().map(\.digest), [Fixtures.config, Fixtures.layer1, Fixtures.layer2])
        XCTAssertTrue(manifest.manifests.isEmpty)
        XCTAssertEqual(manifest.raw.bytes, bytes, "the bytes are kept as served")
        XCTAssertEqual(manifest.digest, Digest.sha256(of: bytes))
    }

    func testParsesADockerManifestWithoutContentType() throws {
        let manifest = try ParsedManifest(bytes: Array(Fixtures.imageManifest(docker: true).utf8), contentType: nil)
        XCTAssertEqual(manifest.mediaType, .dockerManifest)
        XCTAssertEqual(manifest.config?.mediaType, .dockerConfig)
    }

    func testMediaTypeComesFromHeaderThenFieldThenShape() throws {
        let noField = Array(Fixtures.imageManifest(mediaTypeField: false).utf8)
        XCTAssertEqual(try ParsedManifest(bytes: noField, contentType: "application/octet-stream").mediaType, .ociManifest)
        XCTAssertEqual(try ParsedManifest(bytes: noField, contentType: MediaType.dockerManifest.rawValue).mediaType, .dockerManifest)
        let withField = Array(Fixtures.imageManifest(docker: true).utf8)
        XCTAssertEqual(try ParsedManifest(bytes: withField, contentType: "text/plain").mediaType, .dockerManifest)

        let indexNoField = Array(Fixtures.index(children: [(Fixtures.layer1, .ociManifest, "linux", "amd64")],
                                                mediaTypeField: false).utf8)
        let index = try ParsedManifest(bytes: indexNoField, contentType: nil)
        XCTAssertEqual(index.mediaType, .ociIndex)
        XCTAssertEqual(index.kind, .index)
    }

    func testParsesAnIndexWithPlatforms() throws {
        let json = Fixtures.index(children: [(Fixtures.layer1, .ociManifest, "linux", "amd64"),
                                             (Fixtures.layer2, .ociManifest, "windows", "arm64")])
        let index = try ParsedManifest(bytes: Array(json.utf8), contentType: MediaType.ociIndex.rawValue)
        XCTAssertEqual(index.kind, .index)
        XCTAssertNil(index.config)
        XCTAssertEqual(index.manifests.map(\.digest), [Fixtures.layer1, Fixtures.layer2])
        XCTAssertEqual(index.manifests[0].platform, Platform(architecture: "amd64", os: "linux", osVersion: "10.0"))
        XCTAssertEqual(index.manifests[1].platform?.description, "windows/arm64")
        XCTAssertTrue(index.blobs().isEmpty)
    }

    func testParsesANestedIndex() throws {
        let json = Fixtures.index(children: [(Fixtures.layer1, .ociIndex, "linux", "amd64"),
                                             (Fixtures.layer2, .dockerManifestList, "linux", "arm64")])
        let index = try ParsedManifest(bytes: Array(json.utf8), contentType: nil)
        XCTAssertEqual(index.manifests.map(\.mediaType), [.ociIndex, .dockerManifestList])
        XCTAssertTrue(index.manifests.allSatisfy(\.mediaType.isIndex))
    }

    func testParsesAnArtifactWithSubject() throws {
        let json = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.ociManifest)", "artifactType": "application/vnd.example.sbom",
         "config": {"mediaType": "\(MediaType.ociEmpty)", "digest": "\(Fixtures.config)", "size": 2},
         "layers": [{"mediaType": "application/spdx+json", "digest": "\(Fixtures.layer1)", "size": 6}],
         "subject": {"mediaType": "\(MediaType.ociManifest)", "digest": "\(Fixtures.layer2)", "size": 500},
         "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}}
        """
        let artifact = try ParsedManifest(bytes: Array(json.utf8), contentType: nil)
        XCTAssertEqual(artifact.artifactType, "application/vnd.example.sbom")
        XCTAssertEqual(artifact.subject?.digest, Fixtures.layer2)
        XCTAssertEqual(artifact.annotations?["org.opencontainers.image.created"], "2024-01-01T00:00:00Z")
        XCTAssertEqual(artifact.blobs().count, 2)
    }

    func testForeignLayersAreSkippedUnlessAskedFor() throws {
        let json = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.dockerManifest)",
         "config": {"mediaType": "\(MediaType.dockerConfig)", "digest": "\(Fixtures.config)", "size": 6},
         "layers": [
           {"mediaType": "\(MediaType.dockerForeignLayer)", "digest": "\(Fixtures.layer1)", "size": 6,
            "urls": ["https://mcr.microsoft.com/v2/windows/blobs/\(Fixtures.layer1)"]},
           {"mediaType": "\(MediaType.dockerLayer)", "digest": "\(Fixtures.layer2)", "size": 6}]}
        """
        let manifest = try ParsedManifest(bytes: Array(json.utf8), contentType: nil)
        XCTAssertEqual(manifest.foreignLayers.map(\.digest), [Fixtures.layer1])
        XCTAssertEqual(manifest.layers[0].urls?.count, 1)
        XCTAssertEqual(manifest.blobs().map(\.digest), [Fixtures.config, Fixtures.layer2])
        XCTAssertEqual(manifest.blobs(includingForeign: true).map(\.digest), [Fixtures.config, Fixtures.layer1, Fixtures.layer2])
    }

    func testRepeatedLayersAreCopiedOnce() throws {
        let json = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.ociManifest)",
         "config": {"mediaType": "\(MediaType.ociConfig)", "digest": "\(Fixtures.config)", "size": 6},
         "layers": [{"mediaType": "\(MediaType.ociLayerGzip)", "digest": "\(Fixtures.layer1)", "size": 6},
                    {"mediaType": "\(MediaType.ociLayerGzip)", "digest": "\(Fixtures.layer1)", "size": 6}]}
        """
        XCTAssertEqual(try ParsedManifest(bytes: Array(json.utf8), contentType: nil).blobs().count, 2)
    }

    func testSchema1IsRefusedClearly() {
        let schema1 = """
        {"schemaVersion": 1, "name": "library/old", "tag": "latest", "architecture": "amd64",
         "fsLayers": [{"blobSum": "\(Fixtures.layer1)"}], "history": [], "signatures": []}
        """
        for contentType in [MediaType.dockerSchema1Signed.rawValue, MediaType.dockerSchema1.rawValue, "application/json", nil] {
            XCTAssertThrowsError(try ParsedManifest(bytes: Array(schema1.utf8), contentType: contentType)) { error in
                guard case .unsupportedSchema1 = error as? ManifestError else { return XCTFail("\(error)") }
                XCTAssertTrue("\(error)".contains("schema 1"), "\(error)")
                XCTAssertTrue("\(error)".contains("not support"), "\(error)")
            }
        }
    }

    func testInvalidManifestsSayWhy() {
        XCTAssertThrowsError(try ParsedManifest(bytes: Array("not json".utf8), contentType: nil)) { error in
            guard case .invalidJSON = error as? ManifestError else { return XCTFail("\(error)") }
        }
        let badDigest = """
        {"schemaVersion": 2, "mediaType": "\(MediaType.ociManifest)",
         "config": {"mediaType": "\(MediaType.ociConfig)", "digest": "sha256:nothex", "size": 6}, "layers": []}
        """
        XCTAssertThrowsError(try ParsedManifest(bytes: Array(badDigest.utf8), contentType: nil)) { error in
            XCTAssertTrue("\(error)".contains("config.digest"), "\(error)")
        }
        let noConfig = "{\"schemaVersion\": 2, \"mediaType\": \"\(MediaType.ociManifest)\", \"layers\": []}"
        XCTAssertThrowsError(try ParsedManifest(bytes: Array(noConfig.utf8), contentType: nil)) { error in
            guard case .missingConfig = error as? ManifestError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ParsedManifest(bytes: Array("{\"schemaVersion\": 2}".utf8), contentType: "application/json")) { error in
            guard case .unknownMediaType = error as? ManifestError else { return XCTFail("\(error)") }
        }
    }

    func testDescriptorRoundTripsThroughJSON() throws {
        let descriptor = Descriptor(mediaType: .ociManifest, digest: Fixtures.layer1, size: 42,
                                    annotations: ["k": "v"], platform: Platform(architecture: "arm64", os: "linux", variant: "v8"))
        let data = try JSONEncoder().encode(descriptor)
        XCTAssertEqual(try JSONDecoder().decode(Descriptor.self, from: data), descriptor)
        XCTAssertFalse(String(decoding: data, as: UTF8.self).contains("urls"), "absent fields stay absent")
    }
}
