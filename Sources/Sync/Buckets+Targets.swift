import AWS
import Buckets
import Config
import Foundation
import HTTP
import Logging
import OCI

/// How to reach one bucket: its credentials and S3 endpoint. Resolved per process from its own
/// config and environment; never part of a job.
public struct BucketSettings: Sendable {
    public var credentials: AWSCredentials?
    /// The S3 API URL; nil for the provider's own.
    public var endpoint: String?
    public init(credentials: AWSCredentials? = nil, endpoint: String? = nil) {
        self.credentials = credentials; self.endpoint = endpoint
    }
}

/// One `BucketRegistry` per bucket, shared by every job of the process.
public final class BucketTargets: Sendable {
    let settings: @Sendable (BucketAddress) -> BucketSettings
    private let cache = BucketCache()

    /// `settings` defaults to the AWS environment variables alone.
    public init(settings: @escaping @Sendable (BucketAddress) -> BucketSettings = { address in
        BucketTargets.settings(for: address, config: Config(), overrides: [], environment: ProcessInfo.processInfo.environment)
    }) {
        self.settings = settings
    }

    /// Credentials from the command line's `--target-username/--target-password`, else from the
    /// `sync.registries` entry whose url is the bucket (`username` = access key id, `password` =
    /// secret), else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`. Endpoint from the entry's
    /// `endpoint`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`.
    public convenience init(config: Config, overrides: [RegistryOverride], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init { address in Self.settings(for: address, config: config, overrides: overrides, environment: environment) }
    }

    public static func settings(for address: BucketAddress, config: Config, overrides: [RegistryOverride],
                         environment: [String: String]) -> BucketSettings {
        let entry = config.sync.registry(forImage: address.description)
        var settings = BucketSettings()
        if let override = overrides.first(where: { $0.role == .target && !$0.auth.username.isEmpty }) {
            settings.credentials = AWSCredentials(accessKeyID: override.auth.username, secretAccessKey: override.auth.password)
        } else if let entry, !entry.auth.username.isEmpty {
            settings.credentials = AWSCredentials(accessKeyID: entry.auth.username, secretAccessKey: entry.auth.password)
        } else {
            settings.credentials = AWSCredentials.fromEnvironment(environment)
        }
        settings.endpoint = entry?.endpoint ?? [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"]]
            .compactMap { $0 }.first { !$0.isEmpty }
        return settings
    }

    /// Plain HTTP and TLS options for the endpoints of bucket entries (`insecure`, `ca`, or an
    /// `http://` endpoint), keyed by host as `HTTPClient.Configuration.hosts` wants.
    public static func hostOptions(config: Config) -> [String: HostOptions] {
        var hosts: [String: HostOptions] = [:]
        for entry in config.sync.registries {
            guard BucketAddress.isBucket(entry.url), let endpoint = entry.endpoint,
                  let url = URLComponents(string: endpoint), let host = url.host else { continue }
            let plain = url.scheme == "http"
            guard plain || entry.insecure || entry.ca != nil else { continue }
            hosts[url.port.map { "\(host):\($0)" } ?? host] =
                HostOptions(verifyTLS: !entry.insecure, caBundlePath: entry.ca, plainHTTP: plain || entry.insecure)
        }
        return hosts
    }

    func registry(_ address: BucketAddress, http: HTTPClient, retryPolicy: RetryPolicy, logger: Logger) throws -> BucketRegistry {
        try cache.get(address.description) {
            let settings = settings(address)
            guard let credentials = settings.credentials else {
                throw SyncError("no credentials for bucket \(address): configure a sync.registries entry with url: \(address), "
                    + "username: <access key id> and password: <secret access key>, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            return BucketRegistry(client: S3Client(address: address, endpoint: settings.endpoint, credentials: credentials,
                                                   http: http, retryPolicy: retryPolicy, logger: logger))
        }
    }
}

private final class BucketCache: @unchecked Sendable {
    private let lock = NSLock()
    private var registries: [String: BucketRegistry] = [:]

    func get(_ key: String, make: () throws -> BucketRegistry) throws -> BucketRegistry {
        try lock.withLock {
            if let registry = registries[key] { return registry }
            let registry = try make()
            registries[key] = registry
            return registry
        }
    }
}

extension Registries {
    /// Where a job's target is written: a registry repository or an image in a bucket.
    func targetRepository(_ text: String) throws -> TargetRepository {
        switch try TargetName(text) {
        case .registry(let reference):
            return RegistryTarget(client: target(reference), reference: reference)
        case .bucket(let image):
            return BucketTarget(registry: try buckets.registry(image.address, http: http, retryPolicy: retryPolicy, logger: logger),
                                image: image)
        }
    }
}
