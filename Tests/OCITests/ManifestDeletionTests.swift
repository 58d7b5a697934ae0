import Foundation
import XCTest
@testable import OCI
import TestSupport

/// `deleteManifest` against distribution 2.8, with deletes enabled and with its default (off).
final class ManifestDeletionTests: XCTestCase {
    func testDigestDeleteRemovesEveryTagOnItAndATagDeleteIsRefusedAsUnsupportedForTags() async throws {
        let registry = try RegistryServer.start()
        defer { registry.stop() }
        let client = Live.client(registry.host)
        let manifest = try await Live.pushImage(client, repository: "team/app", tag: "v1")
        try await client.putManifest(repository: "team/app", reference: "v1-alias", manifest: manifest)

        do {
            try await client.deleteManifest(repository: "team/app", reference: "v1")
            XCTFail("distribution 2.8 deletes by digest only")
        } catch let error as RegistryError {
            XCTAssertTrue(error.refusesTagDeletion, "\(error)")
            XCTAssertFalse(error.isUnsupported, "deletes are on: only tags are refused")
        }
        let deleted = try await client.deleteManifest(repository: "team/app", reference: manifest.digest.description)
        XCTAssertEqual(deleted, .deleted)
        let tags = try await client.listTags(repository: "team/app")
        XCTAssertEqual(tags, [], "both tags went with the digest")
        let again = try await client.deleteManifest(repository: "team/app", reference: manifest.digest.description)
        XCTAssertEqual(again, .absent)
        XCTAssertEqual(try registry.requestCount(method: "DELETE", path: "/manifests/"), 3, "4xx answers are not retried")
    }

    func testRegistryWithDeletesDisabledAnswersUnsupported() async throws {
        let registry = try RegistryServer.start(deleteEnabled: false)
        defer { registry.stop() }
        let client = Live.client(registry.host)
        let manifest = try await Live.pushImage(client, repository: "team/app", tag: "v1")
        do {
            try await client.deleteManifest(repository: "team/app", reference: manifest.digest.description)
            XCTFail("deletes are off")
        } catch let error as RegistryError {
            XCTAssertTrue(error.isUnsupported, "\(error)")
            XCTAssertEqual(error.status, 405)
            XCTAssertEqual(error.classification, .fatal)
            XCTAssertTrue(error.description.contains("DELETE /v2/team/app/manifests/\(manifest.digest)"), error.description)
        }
        XCTAssertEqual(try registry.requestCount(method: "DELETE", path: "/manifests/"), 1)
    }
}
