import XCTest
@testable import Config

final class EnvironmentSubstitutionTests: XCTestCase {
    private let yaml = """
    sync:
      interval: ${INTERVAL}
      registries:
        - name: Docker Hub
          url: docker.io
          auth:
            username: ${HUB_USER}
            password: "${HUB_TOKEN}"
            token: prefix-${HUB_USER}-$HOME-suffix
    """

    func testVariablesAreReplacedInAnyScalar() throws {
        let env = ["INTERVAL": "10m", "HUB_USER": "me", "HUB_TOKEN": "s3cr3t"]
        let config = try Config.parse(yaml: yaml, environment: env).config
        XCTAssertEqual(config.sync.interval, .minutes(10))
        let auth = try XCTUnwrap(config.sync.registries.first?.auth)
        XCTAssertEqual(auth.username, "me")
        XCTAssertEqual(auth.password, "s3cr3t")
        XCTAssertEqual(auth.token, "prefix-me-$HOME-suffix", "only the braced form is substituted")
    }

    func testMissingVariableIsAnErrorNamingItAndWhereItIsUsed() {
        XCTAssertThrowsError(try Config.parse(yaml: yaml, file: "fleet.yaml", environment: ["INTERVAL": "1m", "HUB_USER": "me"])) { error in
            XCTAssertEqual("\(error)", "fleet.yaml:8:19: environment variable HUB_TOKEN is not set (referenced as ${HUB_TOKEN})")
        }
    }

    func testMalformedReferencesAreErrors() {
        XCTAssertThrowsError(try Config.parse(yaml: "ecr:\n  region: ${REGION\n", environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("config.yaml:2:11: unterminated '${'"), "\(error)")
        }
        XCTAssertThrowsError(try Config.parse(yaml: "ecr:\n  region: ${1X}\n", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("'${1X}' is not a valid environment variable reference"), "\(error)")
        }
    }

    func testSubstitutedValuesAreTypedAfterSubstitution() throws {
        let config = try Config.parse(yaml: "telemetry:\n  enabled: ${ON}\nsync:\n  maxerrors: ${N}\n",
                                      environment: ["ON": "true", "N": "9"]).config
        XCTAssertTrue(config.telemetry.enabled)
        XCTAssertEqual(config.sync.maxErrors, 9)
    }
}
