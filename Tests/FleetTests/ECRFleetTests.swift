import Foundation
import Redis
import TestSupport
import XCTest

/// `helper: ecr` in a fleet: each process asks ECR (moto) itself, from its own environment; no AWS
/// secret and no ECR password reaches Redis or a log.
final class ECRFleetTests: XCTestCase {
    func testWorkersResolveECRCredentialsThemselvesAndRedisHoldsNoSecret() async throws {
        let moto = try MotoServer.start()
        let password = try moto.issuedECRPassword()
        let source = try RegistryServer.start()
        let target = try RegistryServer.start(auth: .htpasswd(username: "AWS", password: password))
        try ImageSeeder(source).push([
            ImageSeeder.Image(repository: "fleet/ecr", tag: "v1", kind: .ociIndex(layers: [2048]), seed: 4700),
            ImageSeeder.Image(repository: "fleet/ecr", tag: "v2", kind: .docker(layers: [2048]), seed: 4701),
        ])
        let fleet = try Fleet()
        let config = try fleet.config("""
            ecr:
              region: \(moto.region)
            sync:
              interval: 1h
              maxerrors: 0
              registries:
                - name: ECR stand-in
                  url: \(target.host)
                  auth: {helper: ecr}
              images:
                - source: \(source.host)/fleet/ecr
                  targets: [\(target.host)/fleet/ecr]
            """)
        let awsSecret = "fleet-aws-secret-\(UUID().uuidString.prefix(12))"
        let environment = ["AWS_ENDPOINT_URL_ECR": moto.endpoint.absoluteString, "AWS_ENDPOINT_URL": "",
                           "AWS_ACCESS_KEY_ID": "AKIDFLEET", "AWS_SECRET_ACCESS_KEY": awsSecret, "AWS_SESSION_TOKEN": ""]
        let reporter = try fleet.start("reporter", ["reporter"], config: config, environment: environment)
        let worker = try fleet.start("worker", ["worker"], config: config, environment: environment)

        let cycle = try await fleet.run(["scheduler", "--once"], config: config, environment: environment)
        XCTAssertEqual(cycle.status, 0, cycle.output + worker.output)
        let login = RegistryLogin(username: "AWS", password: password)
        for tag in ["v1", "v2"] {
            try assertSameDigest("\(source.host)/fleet/ecr:\(tag)", "\(target.host)/fleet/ecr:\(tag)", targetCreds: login)
        }
        XCTAssertTrue(try moto.hasECRRepository("fleet/ecr"), "the worker created the repository")

        let stored = try await RedisDump.everything(fleet.client)
        XCTAssertTrue(stored.text.contains("\(target.host)/fleet/ecr"), "job payloads were read")
        let basic = Data("AWS:\(password)".utf8).base64EncodedString()
        for secret in [password, basic, awsSecret] {
            XCTAssertFalse(stored.text.contains(secret), "\(secret) is in Redis")
            for process in [worker, reporter] { XCTAssertFalse(process.output.contains(secret), "\(secret) is in a log") }
            XCTAssertFalse(cycle.output.contains(secret), "\(secret) is in the scheduler's log")
        }
    }
}
