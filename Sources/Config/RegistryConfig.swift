/// One entry of `sync.registries`: credentials and transport settings for every image
/// whose reference starts with `url`.
public struct RegistryConfig: Sendable, Equatable {
    public var name: String
    /// A registry host (`docker.io`, `ghcr.io/org`, `localhost:5000`) or a bucket
    /// (`r2:<account>:<bucket>`, `s3:<region>:<bucket>`).
    public var url: String
    public var auth: RegistryAuth
    /// Talk plain HTTP, or HTTPS without verifying the certificate.
    public var insecure: Bool
    /// Path to a PEM bundle of CAs to trust for this registry.
    public var ca: String?
    /// For a bucket (`r2:…`, `s3:…`): the S3 API URL to use instead of the provider's own
    /// (an S3-compatible store, a test server).
    public var endpoint: String?

    public init(name: String, url: String, auth: RegistryAuth = RegistryAuth(), insecure: Bool = false, ca: String? = nil,
                endpoint: String? = nil) {
        self.name = name
        self.url = url
        self.auth = auth
        self.insecure = insecure
        self.ca = ca
        self.endpoint = endpoint
    }
}

/// `sync.registries[].auth`. Printing it never shows the password or token.
public struct RegistryAuth: Sendable, Equatable {
    public var username: String
    public var password: String
    public var token: String
    /// `ecr` to fetch credentials from AWS; empty for static credentials.
    public var helper: String

    public init(username: String = "", password: String = "", token: String = "", helper: String = "") {
        self.username = username
        self.password = password
        self.token = token
        self.helper = helper
    }

    /// Whether no credential at all is configured (anonymous access).
    public var isAnonymous: Bool { username.isEmpty && password.isEmpty && token.isEmpty && helper.isEmpty }
}

extension RegistryAuth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "RegistryAuth(username: \(username.debugDescription), password: \(Self.redacted(password)), "
            + "token: \(Self.redacted(token)), helper: \(helper.debugDescription))"
    }

    public var debugDescription: String { description }

    /// `dump()` and reflection-based printing see the redacted values too.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "username": username, "password": Self.redacted(password),
            "token": Self.redacted(token), "helper": helper,
        ])
    }

    private static func redacted(_ secret: String) -> String {
        secret.isEmpty ? "\"\"" : "<redacted>"
    }
}
