import XCTest
@testable import OCI

final class ReferenceTests: XCTestCase {
    func testNormalisesLikeDockerPull() throws {
        let table: [(String, String, String, String?, String)] = [
            // input, registry, repository, tag, description
            ("ubuntu", "docker.io", "library/ubuntu", nil, "docker.io/library/ubuntu"),
            ("ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "docker.io/library/ubuntu:22.04"),
            ("user/img", "docker.io", "user/img", nil, "docker.io/user/img"),
            ("docker.io/ubuntu", "docker.io", "library/ubuntu", nil, "docker.io/library/ubuntu"),
            ("index.docker.io/library/ubuntu", "docker.io", "library/ubuntu", nil, "docker.io/library/ubuntu"),
            ("registry-1.docker.io/user/img:v1", "docker.io", "user/img", "v1", "docker.io/user/img:v1"),
            ("ghcr.io/org/team/app:1.2.3", "ghcr.io", "org/team/app", "1.2.3", "ghcr.io/org/team/app:1.2.3"),
            ("localhost/foo", "localhost", "foo", nil, "localhost/foo"),
            ("localhost:5000/a/b/c:latest", "localhost:5000", "a/b/c", "latest", "localhost:5000/a/b/c:latest"),
            ("127.0.0.1:5001/foo", "127.0.0.1:5001", "foo", nil, "127.0.0.1:5001/foo"),
            ("[::1]:5000/foo:t", "[::1]:5000", "foo", "t", "[::1]:5000/foo:t"),
            ("quay.io/a__b/c-d/e.f_g", "quay.io", "a__b/c-d/e.f_g", nil, "quay.io/a__b/c-d/e.f_g"),
            ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "app", nil,
             "123456789012.dkr.ecr.us-east-1.amazonaws.com/app"),
        ]
        for (input, registry, repository, tag, description) in table {
            let ref = try ImageReference(input)
            XCTAssertEqual(ref.registry, registry, input)
            XCTAssertEqual(ref.repository, repository, input)
            XCTAssertEqual(ref.tag, tag, input)
            XCTAssertNil(ref.digest, input)
            XCTAssertEqual(ref.description, description, input)
        }
    }

    func testDigestAndTagAndDigest() throws {
        let hex = String(repeating: "a", count: 64)
        let pinned = try ImageReference("alpine@sha256:\(hex)")
        XCTAssertNil(pinned.tag)
        XCTAssertEqual(pinned.digest?.description, "sha256:\(hex)")
        XCTAssertEqual(pinned.manifestReference, "sha256:\(hex)")

        let both = try ImageReference("localhost:5000/alpine:3.19@sha256:\(hex)")
        XCTAssertEqual(both.tag, "3.19")
        XCTAssertEqual(both.digest?.hex, hex)
        XCTAssertEqual(both.description, "localhost:5000/alpine:3.19@sha256:\(hex)")
        XCTAssertEqual(both.manifestReference, "sha256:\(hex)", "the digest wins over the tag")
    }

    func testDescriptionRoundTrips() throws {
        let hex = String(repeating: "0", count: 64)
        for input in ["ubuntu", "a/b:c", "localhost:5000/x/y@sha256:\(hex)", "ghcr.io/o/p:t@sha256:\(hex)", "[::1]/z"] {
            let ref = try ImageReference(input)
            XCTAssertEqual(try ImageReference(ref.description), ref, input)
        }
    }

    func testAPIHostOfDockerHub() throws {
        XCTAssertEqual(try ImageReference("ubuntu").apiHost, "registry-1.docker.io")
        XCTAssertEqual(try ImageReference("ghcr.io/a/b").apiHost, "ghcr.io")
        XCTAssertEqual(try ImageReference("localhost:5000/a").apiHost, "localhost:5000")
    }

    func testLoopbackRegistries() throws {
        for loopback in ["localhost/a", "localhost:5000/a", "127.0.0.1:5001/a", "127.1.2.3/a", "[::1]:5000/a"] {
            XCTAssertTrue(try ImageReference(loopback).isLoopback, loopback)
        }
        for remote in ["ubuntu", "ghcr.io/a", "128.0.0.1/a", "localhost.example.com/a", "10.0.0.1:5000/a"] {
            XCTAssertFalse(try ImageReference(remote).isLoopback, remote)
        }
    }

    func testWithTagAndWithDigest() throws {
        let ref = try ImageReference("ghcr.io/o/p:old")
        let digest = Digest.sha256(of: Array("x".utf8))
        XCTAssertEqual(try ref.withTag("new").description, "ghcr.io/o/p:new")
        XCTAssertEqual(ref.withDigest(digest).description, "ghcr.io/o/p:old@\(digest)")
        XCTAssertEqual(try ref.withTag("new").withDigest(digest).withTag("again").digest, nil)
        XCTAssertThrowsError(try ref.withTag("-bad"))
        XCTAssertEqual(ref.repositoryOnly.description, "ghcr.io/o/p")
    }

    func testErrorsSayWhatIsWrong() {
        let cases: [(String, ReferenceError.Reason, String)] = [
            ("", .empty, "reference is empty"),
            ("Foo/Bar", .uppercaseRepository, "invalid reference \"Foo/Bar\": repository name must be lowercase"),
            ("ghcr.io/Org/app", .uppercaseRepository, "must be lowercase"),
            ("a//b", .invalidPathComponent(""), "path component"),
            ("a/-b", .invalidPathComponent("-b"), "path component \"-b\""),
            ("a/b..c", .invalidPathComponent("b..c"), "path component"),
            ("a/b___c", .invalidPathComponent("b___c"), "path component"),
            ("ubuntu:-x", .invalidTag("-x"), "tag \"-x\""),
            ("ubuntu:" + String(repeating: "t", count: 129), .invalidTag(String(repeating: "t", count: 129)), "tag"),
            ("ubuntu@sha256:abc", .invalidDigest("sha256:abc"), "digest \"sha256:abc\""),
            ("ubuntu@md5:" + String(repeating: "a", count: 32), .invalidDigest("md5:" + String(repeating: "a", count: 32)), "digest"),
            ("ex ample.com/a", .invalidRegistry("ex ample.com"), "registry"),
            ("localhost:port/a", .invalidRegistry("localhost:port"), "host[:port]"),
            ("ghcr.io/", .missingRepository, "repository name is missing"),
            (String(repeating: "a", count: 64), .hexRepository, "64-character hex"),
            ("ghcr.io/" + String(repeating: "a/", count: 130) + "a", .nameTooLong(269), "limit is 255"),
        ]
        for (input, reason, fragment) in cases {
            XCTAssertThrowsError(try ImageReference(input), input) { error in
                guard let error = error as? ReferenceError else { return XCTFail("\(input): \(error)") }
                XCTAssertEqual(error.reason, reason, input)
                XCTAssertTrue(error.description.contains(fragment), "\(input): \(error)")
                XCTAssertTrue(error.description.hasPrefix("invalid reference \"\(input)\""), "\(input): \(error)")
            }
        }
    }

    func testValidPathComponentSeparators() {
        for good in ["a", "a.b", "a_b", "a__b", "a-b", "a---b", "a1.b2-c3_d4", "0"] {
            XCTAssertTrue(ImageReference.isValidPathComponent(Substring(good)), good)
        }
        for bad in ["", ".a", "a.", "a..b", "a._b", "a___b", "a-.b", "A", "a b", "a/b"] {
            XCTAssertFalse(ImageReference.isValidPathComponent(Substring(bad)), bad)
        }
    }

    func testTagGrammar() {
        for good in ["latest", "v1.2.3", "_x", "A-b.C_d", String(repeating: "x", count: 128)] {
            XCTAssertTrue(ImageReference.isValidTag(good), good)
        }
        for bad in ["", ".x", "-x", "a/b", "a:b", "a+b", String(repeating: "x", count: 129)] {
            XCTAssertFalse(ImageReference.isValidTag(bad), bad)
        }
    }
}
