import Foundation

/// How docker-sync proves who it is to one registry. Printing a value never shows a secret.
public enum RegistryCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    case anonymous
    /// Sent as HTTP Basic to registries that ask for it, and to the token endpoint of those that use Bearer.
    case basic(username: String, password: String)
    /// A ready-made bearer token (the config's `token`), sent as is on every request.
    case bearer(token: String)
    /// Short-lived credentials from a helper (`helper: ecr`), used like `basic`; shared per registry.
    case helper(HelperCredentials)

    public var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case let .basic(username, _): return "basic(username: \(username), password: <redacted>)"
        case .bearer: return "bearer(token: <redacted>)"
        case .helper(let source): return "helper(\(source.helper.name))"
        }
    }

    public var debugDescription: String { description }

    /// `dump()` and reflection go through here: show the redacted form only.
    public var customMirror: Mirror { Mirror(self, children: ["credentials": description]) }

    var isHelper: Bool {
        if case .helper = self { return true }
        return false
    }

    /// `Authorization` value for HTTP Basic, when these are basic credentials.
    var basicAuthorization: String? {
        guard case let .basic(username, password) = self else { return nil }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Builds credentials from a config's `username` / `password` / `token`: a token wins, then a
    /// username (the password may be empty), else anonymous.
    public init(username: String?, password: String?, token: String?) {
        if let token, !token.isEmpty {
            self = .bearer(token: token)
        } else if let username, !username.isEmpty {
            self = .basic(username: username, password: password ?? "")
        } else {
            self = .anonymous
        }
    }
}
