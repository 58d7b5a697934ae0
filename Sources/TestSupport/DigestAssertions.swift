import XCTest

/// Asserts that skopeo, an independent reader, sees the same manifest digest at `target` as at `source`.
public func assertSameDigest(_ source: String, _ target: String, sourceCreds: RegistryLogin? = nil,
                             targetCreds: RegistryLogin? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
    let expected = try Skopeo.inspectDigest(source, creds: sourceCreds)
    let actual = try Skopeo.inspectDigest(target, creds: targetCreds)
    XCTAssertEqual(actual, expected, "\(target) differs from \(source)", file: file, line: line)
}
