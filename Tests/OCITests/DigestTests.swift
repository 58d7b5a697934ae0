import XCTest
@testable import OCI

final class DigestTests: XCTestCase {
    let emptySHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    func testSHA256OfBytes() {
        XCTAssertEqual(Digest.sha256(of: []).description, emptySHA256)
        XCTAssertEqual(Digest.sha256(of: Array("abc".utf8)).hex,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testParsesAndValidates() throws {
        let digest = try Digest(parsing: emptySHA256)
        XCTAssertEqual(digest.algorithm, .sha256)
        XCTAssertEqual(digest.description, emptySHA256)
        XCTAssertEqual(digest.short, "sha256:e3b0c44298fc")
        let sha512 = "sha512:" + String(repeating: "ab", count: 64)
        XCTAssertEqual(try Digest(parsing: sha512).algorithm, .sha512)

        for bad in ["", "sha256", "sha256:", "sha256:abc", "sha256:" + String(repeating: "A", count: 64),
                    "sha256:" + String(repeating: "g", count: 64), "md5:" + String(repeating: "a", count: 32),
                    "sha512:" + String(repeating: "a", count: 64), " sha256:" + String(repeating: "a", count: 64)] {
            XCTAssertThrowsError(try Digest(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("invalid digest"), "\(error)")
            }
            XCTAssertNil(Digest(bad))
        }
    }

    func testCodableAsAString() throws {
        let digest = try Digest(parsing: emptySHA256)
        let data = try JSONEncoder().encode([digest])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[\"\(emptySHA256)\"]")
        XCTAssertEqual(try JSONDecoder().decode([Digest].self, from: data), [digest])
        XCTAssertThrowsError(try JSONDecoder().decode([Digest].self, from: Data("[\"sha256:xyz\"]".utf8)))
    }

    func testHasherMatchesOneShotAcrossChunks() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = DigestHasher()
        for chunk in stride(from: 0, to: bytes.count, by: 4093) {
            hasher.update(Array(bytes[chunk..<min(chunk + 4093, bytes.count)]))
        }
        XCTAssertEqual(hasher.finalize(), Digest.sha256(of: bytes))
        XCTAssertEqual(Digest.compute(.sha512, of: []).hex.count, 128)
    }

    func testVerifierAcceptsTheRightContent() throws {
        let bytes = Array("hello blob".utf8)
        var verifier = DigestVerifier(expected: Digest.sha256(of: bytes), size: Int64(bytes.count))
        try bytes.withUnsafeBytes { try verifier.update($0) }
        XCTAssertNoThrow(try verifier.verify())
    }

    func testVerifierRejectsWrongContentAndSizes() throws {
        let bytes = Array("hello blob".utf8)
        let digest = Digest.sha256(of: bytes)

        var wrong = DigestVerifier(expected: digest)
        try Array("hello blub".utf8).withUnsafeBytes { try wrong.update($0) }
        XCTAssertThrowsError(try wrong.verify()) { error in
            XCTAssertEqual(error as? DigestError, .mismatch(expected: digest, actual: Digest.sha256(of: Array("hello blub".utf8))))
        }

        var short = DigestVerifier(expected: digest, size: 11)
        try bytes.withUnsafeBytes { try short.update($0) }
        XCTAssertThrowsError(try short.verify()) { XCTAssertEqual($0 as? DigestError, .sizeMismatch(digest: digest, expected: 11, actual: 10)) }

        var long = DigestVerifier(expected: digest, size: 4)
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try long.update($0) }) { error in
            XCTAssertTrue("\(error)".contains("expected 4 bytes, got 10"), "\(error)")
        }
    }
}
