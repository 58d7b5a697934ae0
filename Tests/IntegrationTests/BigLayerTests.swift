import Foundation
import TestSupport
import XCTest

/// A 256 MiB layer streams from source to target: the process's peak memory stays far below the
/// layer's size.
final class BigLayerTests: XCTestCase {
    /// A quarter of the layer, with room over the ~45 MiB a debug build peaks at here; the design's
    /// benchmark target is 48 MiB for a release build (`ops/bench/sync-bench.sh`).
    static let maxRSS = 64 << 20

    func test256MiBLayerIsStreamedWithBoundedMemory() throws {
        let source = try RegistryServer.start()
        let target = try RegistryServer.start()
        let pushed = try ImageSeeder(source).push(.big(layerSize: 256 << 20), repository: "big/layer", tag: "v1", seed: 800)

        let run = try DockerSyncBinary.run(["sync", "-s", "\(source.host)/big/layer", "-t", "\(target.host)/big/layer"])
        XCTAssertEqual(run.status, 0, run.output)
        let mebibytes = Double(run.maxRSS) / Double(1 << 20)
        print("docker-sync peak RSS syncing a 256 MiB layer: \(String(format: "%.1f", mebibytes)) MiB")
        XCTAssertLessThan(run.maxRSS, Self.maxRSS, "peak RSS \(String(format: "%.1f", mebibytes)) MiB")
        XCTAssertGreaterThan(run.maxRSS, 1 << 20, "ru_maxrss was measured")

        XCTAssertEqual(try Skopeo.inspectDigest("\(target.host)/big/layer:v1"), pushed.digest)
        let layer = try XCTUnwrap(pushed.blobs.last)
        let sourceLog = source.accessLog().filter { $0.method == "GET" && $0.path.hasSuffix(layer) }
        XCTAssertEqual(sourceLog.map(\.status), [200], "the layer is read once")
    }
}
