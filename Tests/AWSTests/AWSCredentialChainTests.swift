import AWS
import Foundation
import TestSupport
import XCTest

/// The credentials file format and the order the chain looks in: environment, then the file.
final class AWSCredentialChainTests: XCTestCase {
    let file = """
        # a comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key=default-secret
        ; another comment

        [ci]
          aws_access_key_id   =   AKIDCI
          AWS_SECRET_ACCESS_KEY = ci/secret+with=equals
          aws_session_token = ci-session
        [incomplete]
        aws_access_key_id = AKIDHALF
        """

    func testProfilesParseWithSpacesCommentsAndEqualsInValues() {
        let parsed = SharedCredentialsFile(parsing: file)
        XCTAssertEqual(parsed.credentials(profile: "default"),
                       AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"))
        XCTAssertEqual(parsed.credentials(profile: "ci"),
                       AWSCredentials(accessKeyID: "AKIDCI", secretAccessKey: "ci/secret+with=equals", sessionToken: "ci-session"))
        XCTAssertNil(parsed.credentials(profile: "incomplete"))
        XCTAssertNil(parsed.credentials(profile: "missing"))
    }

    /// A comment after a section name must not make the section's keys land in the profile above it
    /// (here: prod's keys used as the default profile's); one after a value is not part of the key.
    func testTrailingCommentsNeitherMoveKeysToAnotherProfileNorJoinTheValue() {
        let text = "[default]\r\n"
            + "aws_access_key_id = AKIDDEFAULT\r\n"
            + "aws_secret_access_key = default-secret\r\n"
            + "[prod] # production account\r\n"
            + "aws_access_key_id = AKIDPROD ; ci user\r\n"
            + "aws_secret_access_key = prod/secret+x\t# rotated monthly\r\n"
        let parsed = SharedCredentialsFile(parsing: text)
        XCTAssertEqual(parsed.credentials(profile: "default"),
                       AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default-secret"))
        XCTAssertEqual(parsed.credentials(profile: "prod"),
                       AWSCredentials(accessKeyID: "AKIDPROD", secretAccessKey: "prod/secret+x"))
    }

    func testEnvironmentWinsOverTheFile() throws {
        let home = try homeWithCredentials()
        let chain = AWSCredentialChain(environment: ["HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIDENV",
                                                     "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token"])
        XCTAssertEqual(try chain.resolve(), AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
    }

    func testTheFileUnderHomeIsReadAtTheProfileOfAWSProfile() throws {
        let home = try homeWithCredentials()
        XCTAssertEqual(try AWSCredentialChain(environment: ["HOME": home.path]).resolve().accessKeyID, "AKIDDEFAULT")
        XCTAssertEqual(try AWSCredentialChain(environment: ["HOME": home.path, "AWS_PROFILE": "ci"]).resolve().accessKeyID, "AKIDCI")
    }

    func testSharedCredentialsFileVariableNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("elsewhere", file)
        let chain = AWSCredentialChain(environment: ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "ci"])
        XCTAssertEqual(chain.credentialsFilePath, path)
        XCTAssertEqual(try chain.resolve().secretAccessKey, "ci/secret+with=equals")
    }

    func testNoCredentialsSaysWhereItLookedAndWhatToSet() throws {
        let home = try homeWithCredentials()
        let missingFile = AWSCredentialChain(environment: ["HOME": "/nonexistent-home"])
        XCTAssertThrowsError(try missingFile.resolve()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("/nonexistent-home/.aws/credentials does not exist"), text)
            XCTAssertTrue(text.contains("AWS_ACCESS_KEY_ID"), text)
        }
        let missingProfile = AWSCredentialChain(environment: ["HOME": home.path, "AWS_PROFILE": "incomplete"])
        XCTAssertThrowsError(try missingProfile.resolve()) { error in
            XCTAssertTrue("\(error)".contains("for profile \"incomplete\""), "\(error)")
        }
    }

    func testPrintedCredentialsHideTheSecretAndToken() {
        let credentials = AWSCredentials(accessKeyID: "AKIDSHOWN", secretAccessKey: "hidden-secret", sessionToken: "hidden-token")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped] {
            XCTAssertFalse(text.contains("hidden"), text)
        }
        XCTAssertTrue("\(credentials)".contains("AKIDSHOWN"))
    }

    private func homeWithCredentials() throws -> TemporaryDirectory {
        let home = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: home.file(".aws"), withIntermediateDirectories: true)
        _ = try home.write(".aws/credentials", file)
        return home
    }
}
