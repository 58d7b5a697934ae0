import AWS
@testable import Buckets
import Foundation
import HTTP
import OCI
import TestSupport
import XCTest

/// Retries: 5xx and `SlowDown` are sent again under the retry policy; a 4xx is not.
final class S3RetryTests: XCTestCase {
    func testSlowDownAndServerErrorsAreRetriedUntilThePutSucceeds() async throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        try moto.createBucket("retried")
        let slowDown = Data("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".utf8)
        let proxy = try FaultProxy.start(upstream: moto.host, faults: [
            .status(503, methods: ["PUT"], path: "^/retried/flaky$", times: 1, body: slowDown, name: "slow-down"),
            .status(500, methods: ["PUT"], path: "^/retried/flaky$", times: 1, body: Data(), name: "internal"),
        ])
        let client = S3Client(address: BucketAddress(provider: .s3, location: moto.region, bucket: "retried"),
                              endpoint: proxy.url.absoluteString,
                              credentials: AWSCredentials(accessKeyID: moto.accessKeyID, secretAccessKey: moto.secretAccessKey),
                              http: HTTPClient(), retryPolicy: RetryPolicy(maxAttempts: 4, initialBackoff: 0.01, maxBackoff: 0.05))
        try await client.putObject("flaky", bytes: Array("x".utf8), contentType: "application/octet-stream")
        XCTAssertEqual(try proxy.stats().requests.filter { $0.method == "PUT" }.map(\.status), [503, 500, 200])

        try proxy.setFaults([.status(403, methods: ["PUT"], path: "^/retried/denied$", name: "denied")])
        do {
            try await client.putObject("denied", bytes: [1], contentType: "application/octet-stream")
            XCTFail("a 403 must fail")
        } catch let error as S3Error {
            XCTAssertEqual(error.status, 403)
        }
        XCTAssertEqual(try proxy.stats().faults["denied"], 1, "a 403 is not retried")
    }
}
