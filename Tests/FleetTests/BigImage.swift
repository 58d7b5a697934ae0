import Foundation
import TestSupport
import XCTest

/// A source and a target registry, the source holding `REPOSITORY:v1`, one image whose single layer
/// is big enough (a second or so of copying on loopback) to catch a worker in the middle of it.
struct BigImage {
    static let layerSize = 96 << 20

    let source: RegistryServer
    let target: RegistryServer
    let repository: String
    /// The layer's digest.
    let layer: String

    init(repository: String, seed: Int) throws {
        source = try RegistryServer.start()
        target = try RegistryServer.start()
        self.repository = repository
        let pushed = try ImageSeeder(source).push(.big(layerSize: Self.layerSize), repository: repository, tag: "v1", seed: seed)
        layer = try XCTUnwrap(pushed.blobs.last)
    }

    var sourceReference: String { "\(source.host)/\(repository)" }
    var targetReference: String { "\(target.host)/\(repository)" }

    /// The `enqueue --wait` arguments of a sync of the image.
    var enqueueArguments: [String] { ["enqueue", "-s", sourceReference, "-t", targetReference, "--wait"] }

    /// Bytes the target has received into its largest unfinished upload of the repository (0: none).
    func uploadedBytes() -> Int {
        let uploads = "\(target.storagePath)/docker/registry/v2/repositories/\(repository)/_uploads"
        let sessions = (try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []
        return sessions.map { session in
            (try? FileManager.default.attributesOfItem(atPath: "\(uploads)/\(session)/data"))?[.size] as? Int ?? 0
        }.max() ?? 0
    }

    /// Waits until the layer's upload to the target is under way (more than 1 MiB in, not complete).
    func waitForUploadInProgress() async throws {
        try await eventually("the layer's upload is under way", timeout: 60, interval: .milliseconds(5)) {
            let received = uploadedBytes()
            return received > (1 << 20) && received < Self.layerSize
        }
    }

    /// The target's storage holds the complete layer (its upload was committed).
    var targetHoldsLayer: Bool {
        let hex = layer.dropFirst("sha256:".count)
        let path = "\(target.storagePath)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
        return FileManager.default.fileExists(atPath: path)
    }

    var tagIsOnTarget: Bool { (try? Skopeo.inspectDigest("\(targetReference):v1")) != nil }

    /// Asserts that skopeo reads the source's manifest digest on the target.
    func assertSynced(file: StaticString = #filePath, line: UInt = #line) throws {
        try assertSameDigest("\(sourceReference):v1", "\(targetReference):v1", file: file, line: line)
    }

    /// GETs of the layer the source served (an interrupted one included).
    func layerDownloads() throws -> Int {
        try source.requestCount(method: "GET", path: "/blobs/\(layer)$")
    }
}
