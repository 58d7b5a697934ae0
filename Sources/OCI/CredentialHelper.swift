import Foundation

/// A source of short-lived registry credentials, such as the `ecr` helper (ECR's
/// GetAuthorizationToken). The credentials are used as HTTP Basic, directly or at a Bearer
/// challenge's token endpoint. `HelperCredentials` asks for them lazily and caches them.
public protocol CredentialHelper: Sendable {
    /// Names the helper in messages and cache keys (`ecr`); never a secret.
    var name: String { get }

    /// Fresh credentials, and when to ask again.
    func issueCredentials() async throws -> IssuedCredentials

    /// Called before a push to `repository` (a blob upload or mount, a manifest): ECR needs the
    /// repository created first. Called before every such request; the helper decides what to repeat.
    func prepareForPush(repository: String) async throws
}

extension CredentialHelper {
    public func prepareForPush(repository: String) async throws {}
}

/// A user name and password from a `CredentialHelper`, valid until `renewAt`. Printing it never
/// shows the password.
public struct IssuedCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let username: String
    public let password: String
    /// When to ask the helper again (the expiry minus a margin).
    public let renewAt: Date

    public init(username: String, password: String, renewAt: Date) {
        self.username = username; self.password = password; self.renewAt = renewAt
    }

    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    public var description: String { "IssuedCredentials(username: \(username), password: <redacted>, renewAt: \(renewAt))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["credentials": description]) }
}
