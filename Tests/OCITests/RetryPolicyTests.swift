import Foundation
import XCTest
@testable import OCI

/// Sleeps recorded instead of slept.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []
    var sleeps: [Double] { lock.withLock { recorded } }
    var sleep: RetryPolicy.Sleep { { [self] seconds in lock.withLock { recorded.append(seconds) } } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    var count: Int { lock.withLock { value } }
}

final class RetryPolicyTests: XCTestCase {
    func failure(_ classification: RegistryError.Classification) -> RegistryError {
        RegistryError(registry: "r", method: "GET", path: "/v2/", status: 503, classification: classification)
    }

    func testFullJitterStaysWithinTheCappedExponentialBound() {
        let policy = RetryPolicy(initialBackoff: 0.5, maxBackoff: 4)
        for retry in 0..<10 {
            let bound = min(4, 0.5 * pow(2, Double(retry)))
            for _ in 0..<200 {
                let delay = policy.backoff(retry: retry)
                XCTAssertGreaterThanOrEqual(delay, 0)
                XCTAssertLessThanOrEqual(delay, bound)
            }
        }
        let top = RetryPolicy(initialBackoff: 0.5, maxBackoff: 4, random: { $0 })
        XCTAssertEqual((0..<6).map(top.backoff(retry:)), [0.5, 1, 2, 4, 4, 4])
        let bottom = RetryPolicy(random: { _ in 0 })
        XCTAssertEqual(bottom.backoff(retry: 3), 0)
    }

    func testRetriesRetryableFailuresUpToMaxAttempts() async {
        let sleeps = SleepRecorder()
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: 1, maxBackoff: 10, sleep: sleeps.sleep, random: { $0 })
        do {
            _ = try await policy.withRetries { () async throws -> Int in
                _ = calls.next()
                throw failure(.retryable)
            }
            XCTFail("should have thrown")
        } catch {
            XCTAssertEqual((error as? RegistryError)?.classification, .retryable)
        }
        XCTAssertEqual(calls.count, 3)
        XCTAssertEqual(sleeps.sleeps, [1, 2])
    }

    func testSucceedsAfterTransientFailures() async throws {
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 5, sleep: SleepRecorder().sleep)
        let value = try await policy.withRetries { () async throws -> String in
            if calls.next() < 3 { throw failure(.retryable) }
            return "ok"
        }
        XCTAssertEqual(value, "ok")
        XCTAssertEqual(calls.count, 3)
    }

    func testFatalFailuresAreNotRetried() async {
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 5, sleep: SleepRecorder().sleep)
        do {
            try await policy.withRetries { _ = calls.next(); throw failure(.fatal) }
        } catch {}
        XCTAssertEqual(calls.count, 1)
        do {
            try await policy.withRetries { _ = calls.next(); throw CancellationError() }
        } catch {
            XCTAssertTrue(error is CancellationError)
        }
        XCTAssertEqual(calls.count, 2)
    }

    func testRateLimitWaitsDoNotCountAsAttempts() async throws {
        let sleeps = SleepRecorder()
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 2, initialBackoff: 1, maxRateLimitWait: 100, defaultRateLimitWait: 7,
                                 sleep: sleeps.sleep, random: { $0 })
        let value = try await policy.withRetries { () async throws -> Int in
            switch calls.next() {
            case 1, 2, 3: throw failure(.rateLimited(retryAfter: 5))
            case 4: throw failure(.rateLimited(retryAfter: nil))
            case 5: throw failure(.retryable)
            default: return 42
            }
        }
        XCTAssertEqual(value, 42)
        XCTAssertEqual(sleeps.sleeps, [5, 5, 5, 7, 1], "four rate-limit waits, then one backoff of the two attempts")
    }

    func testRateLimitWaitIsBoundedInTotal() async {
        let sleeps = SleepRecorder()
        let policy = RetryPolicy(maxAttempts: 10, maxRateLimitWait: 25, sleep: sleeps.sleep)
        do {
            try await policy.withRetries { throw failure(.rateLimited(retryAfter: 10)) }
            XCTFail("should have thrown")
        } catch {
            XCTAssertEqual((error as? RegistryError)?.classification, .rateLimited(retryAfter: 10),
                           "the rate-limit error reaches the caller, which can pause the registry")
        }
        XCTAssertEqual(sleeps.sleeps, [10, 10])
    }

    func testDoNotRetryStopsAtOnce() async {
        let calls = Counter()
        let policy = RetryPolicy(maxAttempts: 5, sleep: SleepRecorder().sleep)
        do {
            try await policy.withRetries { _ = calls.next(); throw DoNotRetry(error: failure(.retryable)) }
        } catch {
            XCTAssertTrue(error is RegistryError, "the wrapped error is thrown unwrapped")
        }
        XCTAssertEqual(calls.count, 1)
    }

    func testDigestMismatchIsRetryableButAMalformedDigestIsNot() {
        let d = Digest.sha256(of: [])
        XCTAssertEqual(RetryPolicy.classify(DigestError.mismatch(expected: d, actual: d)), .retryable)
        XCTAssertEqual(RetryPolicy.classify(DigestError.invalid("x", "y")), .fatal)
    }
}
