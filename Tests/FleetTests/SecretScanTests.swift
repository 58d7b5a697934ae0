import Foundation
import Redis
import TestSupport
import XCTest

/// No credential is ever written to Redis: jobs name registries, and each process reads the
/// credentials from its own config and environment. After a fleet synced (and failed) through
/// password-protected registries, every key and every value in Redis is read and searched.
final class SecretScanTests: XCTestCase {
    func testNoPasswordReachesRedisAfterASyncWithCredentials() async throws {
        let sourcePassword = "src-pw-\(UUID().uuidString.prefix(12))"
        let targetPassword = "tgt-pw-\(UUID().uuidString.prefix(12))"
        let source = try RegistryServer.start(auth: .htpasswd(username: "alice", password: sourcePassword))
        let target = try RegistryServer.start(auth: .htpasswd(username: "bob", password: targetPassword))
        let pushed = try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "secret/app", tag: "v1", kind: .ociIndex(layers: [4096]), seed: 4600),
            ImageSeeder.Image(repository: "secret/broken", tag: "v1", kind: .docker(layers: [4096]), seed: 4601),
        ])
        // A second way to the source whose layer GETs fail: failure messages and dead letters go to Redis too.
        let brokenLayer = try XCTUnwrap(pushed[1].blobs.last)
        let proxy = try FaultProxy.start(upstream: source, faults: [.status(500, methods: ["GET"], path: "/blobs/\(brokenLayer)")])
        let fleet = try Fleet()
        let config = try fleet.config("""
            sync:
              interval: 1h
              maxerrors: 0
              retry:
                attempts: 1
              registries:
                - name: source
                  url: \(source.host)
                  auth: {username: alice, password: "${FLEET_SOURCE_PASSWORD}"}
                - name: source through a proxy
                  url: \(proxy.host)
                  auth: {username: alice, password: "${FLEET_SOURCE_PASSWORD}"}
                - name: target
                  url: \(target.host)
                  auth: {username: bob, password: "${FLEET_TARGET_PASSWORD}"}
              images:
                - source: \(source.host)/secret/app
                  targets: [\(target.host)/secret/app]
                - source: \(proxy.host)/secret/broken
                  targets: [\(target.host)/secret/broken]
            """)
        let secrets = ["FLEET_SOURCE_PASSWORD": sourcePassword, "FLEET_TARGET_PASSWORD": targetPassword]
        let reporter = try fleet.start("reporter", ["reporter"], config: config, environment: secrets)
        let worker = try fleet.start("worker", ["worker"], config: config, environment: secrets)

        let cycle = try await fleet.run(["scheduler", "--once"], config: config, environment: secrets)
        XCTAssertEqual(cycle.status, 1, "the broken image failed: \(cycle.output)")
        try assertSameDigest("\(source.host)/secret/app:v1", "\(target.host)/secret/app:v1",
                             sourceCreds: source.credentials, targetCreds: target.credentials)
        try await reporter.waitForOutput("secret/broken", timeout: 30)

        let stored = try await RedisDump.everything(fleet.client)
        XCTAssertGreaterThan(stored.keys, 10, "the scan read the fleet's state")
        XCTAssertTrue(Set(["string", "hash", "list", "zset", "stream"]).isSubset(of: stored.types), "\(stored.types)")
        XCTAssertTrue(stored.text.contains("\(source.host)/secret/app"), "values were read, job payloads among them")
        XCTAssertTrue(stored.text.contains(brokenLayer), "the failure was stored")
        for (user, password) in [("alice", sourcePassword), ("bob", targetPassword)] {
            let basic = Data("\(user):\(password)".utf8).base64EncodedString()
            XCTAssertFalse(stored.text.contains(password), "a password is in Redis")
            XCTAssertFalse(stored.text.contains(basic), "a Basic authorization is in Redis")
            XCTAssertFalse(worker.output.contains(password) || reporter.output.contains(password), "a password is in a log")
        }
    }
}

/// Every key of a Redis database and everything stored under it, read with the command its type needs.
enum RedisDump {
    struct Contents {
        var keys = 0
        var types = Set<String>()
        /// Key names and values, as text (binary values decoded leniently).
        var text = ""
    }

    static func everything(_ client: RedisClient) async throws -> Contents {
        var contents = Contents()
        var cursor = "0"
        repeat {
            let page = try await client.send(RedisCommand(["SCAN", cursor, "COUNT", "500"], idempotent: true))
            cursor = page[0]?.string ?? "0"
            for key in page[1]?.array?.compactMap(\.string) ?? [] {
                let type = try await client.send(RedisCommand(["TYPE", key], idempotent: true)).string ?? "none"
                contents.keys += 1
                contents.types.insert(type)
                contents.text += "\n\(key)\n"
                for command in readCommands(key, type: type) {
                    contents.text += flatten(try await client.send(RedisCommand(command.map { RedisArgument($0) }, idempotent: true)))
                }
            }
        } while cursor != "0"
        return contents
    }

    static func readCommands(_ key: String, type: String) -> [[String]] {
        switch type {
        case "string": return [["GET", key]]
        case "hash": return [["HGETALL", key]]
        case "list": return [["LRANGE", key, "0", "-1"]]
        case "set": return [["SMEMBERS", key]]
        case "zset": return [["ZRANGE", key, "0", "-1", "WITHSCORES"]]
        case "stream": return [["XRANGE", key, "-", "+"], ["XINFO", "GROUPS", key]]
        default: return []
        }
    }

    static func flatten(_ value: RedisValue) -> String {
        switch value {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self) + "\n"
        case .status(let text), .error(let text): return text + "\n"
        case .integer(let number): return "\(number)\n"
        case .array(let values): return values.map(flatten).joined()
        case .null: return ""
        }
    }
}
