import Foundation

/// What ECR's GetAuthorizationToken grants: a user name (`AWS`) and password for the registry's
/// HTTP Basic authentication, and when they expire. Printing it never shows the password.
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
public struct ECRAuthorization: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let username: String
    public let password: String
    public let expiresAt: Date?

    public init(username: String, password: String, expiresAt: Date?) {
        self.username = username; self.password = password; self.expiresAt = expiresAt
    }

    /// `authorizationToken` is base64 of `user:password`.
    public init(authorizationToken: String, expiresAt: Date?) throws {
        guard let data = Data(base64Encoded: authorizationToken),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":"), colon != decoded.startIndex else {
            throw ECRAuthorizationError()
        }
        self.init(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]),
                  expiresAt: expiresAt)
    }

    /// Renewed this long before `expiresAt`, so no request starts with a password about to lapse.
    public static let renewalMargin: TimeInterval = 5 * 60
    /// Used when `expiresAt` is missing, past or within a minute: the clocks disagree (moto answers a
    /// fixed date in 2015). A refused password is renewed sooner anyway.
    public static let fallbackLifetime: TimeInterval = 60 * 60

    /// When to ask ECR again: shortly before the expiry, never in the past.
    public func renewAt(now: Date) -> Date {
        let lifetime = expiresAt.map { $0.timeIntervalSince(now) } ?? 0
        guard lifetime > 60 else { return now.addingTimeInterval(Self.fallbackLifetime) }
        return now.addingTimeInterval(lifetime - min(Self.renewalMargin, lifetime / 4))
    }

    public var description: String {
        "ECRAuthorization(username: \(username), password: <redacted>, expiresAt: \(expiresAt.map { "\($0)" } ?? "nil"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["authorization": description]) }
}

/// The token is not base64 of `user:password`; its content is not repeated here, it is a secret.
public struct ECRAuthorizationError: Error, Sendable, CustomStringConvertible {
    public var description: String { "ECR answered an authorizationToken that is not base64 of user:password" }
}
