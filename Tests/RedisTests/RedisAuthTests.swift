import XCTest
@testable import Redis
import TestSupport

final class RedisAuthTests: XCTestCase {
    func testRequirepassAuthenticatesWithThePasswordFromTheURL() async throws {
        let server = try RedisServer(.init(password: "s3cret-pw"))
        let redis = try connection(to: server, credentials: ":s3cret-pw@")
        let pong = try await redis.send("PING")
        XCTAssertEqual(pong, .status("PONG"))
    }

    func testMissingPasswordIsAnAuthenticationError() async throws {
        let server = try RedisServer(.init(password: "s3cret-pw"))
        let redis = try connection(to: server)
        let error = await redisError { try await redis.send("PING") }
        guard case .authenticationFailed(_, _, let message)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(message.hasPrefix("NOAUTH"), message)
    }

    func testWrongPasswordFailsAtOnceWithoutShowingThePassword() async throws {
        let server = try RedisServer(.init(password: "s3cret-pw"))
        let redis = try connection(to: server, credentials: ":wrong-pw-123@")
        let started = Date()
        let error = await redisError { try await redis.connect() }
        guard case .authenticationFailed? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(error?.isRetryable, false)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "a refused password is not retried until the deadline")
        let text = "\(error!)"
        XCTAssertFalse(text.contains("wrong-pw-123") || text.contains("s3cret"), text)
        XCTAssertTrue(text.contains("WRONGPASS"), text)
    }

    func testACLUserAuthenticatesAndAWrongPasswordIsRefused() async throws {
        let server = try RedisServer(.init(password: "admin-pw"))
        let admin = try connection(to: server, credentials: ":admin-pw@")
        try await admin.send("ACL", "SETUSER", "worker", "on", ">worker-pw", "~jobs:*", "&*", "+@all")

        let worker = try connection(to: server, credentials: "worker:worker-pw@")
        let whoami = try await worker.send("ACL", "WHOAMI")
        XCTAssertEqual(whoami.string, "worker")
        try await worker.send("SET", "jobs:1", "x")
        let denied = await redisError { try await worker.send("SET", "other", "x") }
        XCTAssertEqual(denied?.code, "NOPERM")

        let impostor = try connection(to: server, credentials: "worker:not-the-pw@")
        let error = await redisError { try await impostor.connect() }
        guard case .authenticationFailed(_, let user, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(user, "worker")
        XCTAssertFalse("\(error!)".contains("not-the-pw"), "\(error!)")
    }

    func testUserFromAnACLFile() async throws {
        let directory = try TemporaryDirectory(prefix: "redis-acl")
        let aclFile = try directory.write("users.acl", "user default on nopass ~* &* +@all\nuser ci on >ci-pw ~* &* +@all\n")
        let server = try RedisServer(.init(aclFile: aclFile))
        let ci = try connection(to: server, credentials: "ci:ci-pw@")
        let whoami = try await ci.send("ACL", "WHOAMI")
        XCTAssertEqual(whoami.string, "ci")
    }
}
