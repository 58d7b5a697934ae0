import Foundation
import Queue
import HTTP
import Logging
import OCI

/// How to reach one registry: its credentials and transport. Resolved per process from its own
/// config and environment; never part of a job.
public struct RegistrySettings: Sendable {
    public var credentials: RegistryCredentials
    /// Plain HTTP (and no TLS verification on redirects).
    public var insecure: Bool
    public init(credentials: RegistryCredentials = .anonymous, insecure: Bool = false) {
        self.credentials = credentials; self.insecure = insecure
    }
}

/// One `RegistryClient` per registry and role, shared by every job so tokens and connections are reused.
public final class Registries: Sendable {
    public enum Role: Sendable { case source, target }

    let http: HTTPClient
    let retryPolicy: RetryPolicy
    let options: RegistryClient.Options
    let settings: @Sendable (ImageReference, Role) -> RegistrySettings
    let logger: Logger
    /// Bucket targets (`r2:…`, `s3:…`), reached through the same HTTP client: Buckets+Targets.swift.
    public let buckets: BucketTargets
    private let clients = ClientCache()

    public init(http: HTTPClient, retryPolicy: RetryPolicy = RetryPolicy(), options: RegistryClient.Options = .init(),
                logger: Logger, buckets: BucketTargets = BucketTargets(),
                settings: @escaping @Sendable (ImageReference, Role) -> RegistrySettings) {
        self.http = http; self.retryPolicy = retryPolicy; self.options = options
        self.settings = settings; self.logger = logger; self.buckets = buckets
    }

    public func source(_ reference: ImageReference) -> RegistryClient { client(reference, .source) }
    public func target(_ reference: ImageReference) -> RegistryClient { client(reference, .target) }

    private func client(_ reference: ImageReference, _ role: Role) -> RegistryClient {
        let settings = settings(reference, role)
        let key = (role == .source ? "source|" : "target|") + reference.registry + "|" + settings.credentials.identity
        return clients.get(key) {
            RegistryClient(registry: reference.registry, scheme: settings.insecure ? .http : nil, http: http,
                           credentials: settings.credentials, access: role == .source ? .pull : .pullPush,
                           retryPolicy: retryPolicy, options: options, logger: logger)
        }
    }
}

private final class ClientCache: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [String: RegistryClient] = [:]

    func get(_ key: String, make: () -> RegistryClient) -> RegistryClient {
        lock.withLock {
            if let client = clients[key] { return client }
            let client = make()
            clients[key] = client
            return client
        }
    }
}

extension RegistryCredentials {
    /// Distinguishes credentials in a cache key without holding the secret in clear.
    var identity: String {
        switch self {
        case .anonymous: return "anonymous"
        case let .basic(username, password): return "basic:\(username):\(Digest.sha256(of: Array(password.utf8)).short)"
        case let .bearer(token): return "bearer:\(Digest.sha256(of: Array(token.utf8)).short)"
        // One helper instance serves every job of a registry: its identity is the key.
        case let .helper(source): return "helper:\(source.helper.name):\(ObjectIdentifier(source).hashValue)"
        }
    }
}

extension RegistryError: ClassifiedError {
    public var failureClass: JobFailure.Class {
        switch classification {
        case .retryable: .retryable
        case .rateLimited: .rateLimited
        case .fatal: .fatal
        }
    }

    public var retryAt: Double? {
        guard case let .rateLimited(retryAfter) = classification else { return nil }
        return Date().timeIntervalSince1970 + (retryAfter ?? 10)
    }

    public var registryHost: String? { registry }
}
