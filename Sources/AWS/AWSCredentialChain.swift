import Foundation

/// Where AWS credentials come from, in the order the AWS SDKs look: the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then the shared credentials
/// file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) at profile `AWS_PROFILE`, else
/// `default`. Read anew on each `resolve()`, so keys rotated in the file are picked up.
/// Instance roles, SSO and web identity are not looked at.
public struct AWSCredentialChain: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public var profile: String { environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default" }

    public var credentialsFilePath: String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty {
            return path.hasPrefix("~/") ? home + path.dropFirst() : path
        }
        return home + "/.aws/credentials"
    }

    private var home: String { environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() }

    public func resolve() throws -> AWSCredentials {
        if let credentials = AWSCredentials.fromEnvironment(environment) { return credentials }
        let path = credentialsFilePath
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        if let text, let credentials = SharedCredentialsFile(parsing: text).credentials(profile: profile) {
            return credentials
        }
        throw AWSCredentialsError(path: path, profile: profile, fileExists: text != nil)
    }
}

/// No credentials anywhere the chain looks; says where it looked and what to set.
public struct AWSCredentialsError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let profile: String
    public let fileExists: Bool

    public var description: String {
        let file = fileExists ? "\(path) has no aws_access_key_id / aws_secret_access_key for profile \"\(profile)\""
                              : "\(path) does not exist"
        return "no AWS credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set and \(file); "
            + "set those variables, or the profile in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE)"
    }
}
