import Config
import Foundation
import HTTP
import Logging
import OCI

/// Credentials and transport given on the command line for the source or the targets of `sync`;
/// they win over `sync.registries`.
public struct RegistryOverride: Sendable {
    public var role: Registries.Role
    public var auth: RegistryAuth
    public var insecure: Bool
    public init(role: Registries.Role, auth: RegistryAuth, insecure: Bool) {
        self.role = role; self.auth = auth; self.insecure = insecure
    }
}

/// Turns a loaded config (and the `sync` command's flags) into what the engine runs with.
public struct SyncSetup: Sendable {
    public let registries: Registries
    public let options: EngineOptions
    public let images: [ImageSpec]

    /// Throws `CredentialHelperError` when a registry's `auth.helper` cannot work as configured.
    public init(config: Config, images: [ImageSpec]? = nil, overrides: [RegistryOverride] = [], dryRun: Bool = false,
                concurrency: Int? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger) throws {
        let hosts = Self.hostOptions(config: config, images: images ?? [], overrides: overrides)
        let concurrency = concurrency ?? max(config.sync.concurrency.tags, config.sync.concurrency.blobs)
        var http = HTTPClient.Configuration()
        http.hosts = hosts.merging(BucketTargets.hostOptions(config: config)) { registry, _ in registry }
        // A streamed blob copy holds two transfer threads (the GET and the PUT) at once.
        http.maxTransferThreads = max(http.maxTransferThreads, concurrency * 2 + 8)
        let client = HTTPClient(configuration: http)
        let helpers = try CredentialHelpers(config: config, images: images ?? [], overrides: overrides, http: client,
                                            environment: environment, logger: logger)
        let settings = Self.settings(config: config, overrides: overrides, helpers: helpers)
        let buckets = BucketTargets(config: config, overrides: overrides, environment: environment)
        registries = Registries(http: client, logger: logger, buckets: buckets, settings: settings)
        var options = EngineOptions()
        options.concurrency = concurrency
        options.perRegistry = config.sync.concurrency.perRegistry
        options.backoff = Backoff(attempts: config.sync.retry.attempts, initial: config.sync.retry.initialBackoff.duration,
                                  maximum: config.sync.retry.maxBackoff.duration)
        options.dryRun = dryRun
        self.options = options
        self.images = images ?? config.sync.images.map { image in
            ImageSpec(source: image.source, targets: image.targets,
                      policy: TagPolicy(tags: image.tags, mutableTags: image.mutableTags, ignoredTags: image.ignoredTags),
                      purge: image.purge)
        }
    }

    /// This setup running on `registries` (a reload that left `sync.registries` alone keeps the clients,
    /// their tokens and connections).
    func keeping(_ registries: Registries) -> SyncSetup {
        SyncSetup(registries: registries, options: options, images: images)
    }

    private init(registries: Registries, options: EngineOptions, images: [ImageSpec]) {
        self.registries = registries; self.options = options; self.images = images
    }

    /// Longest `url` prefix of `sync.registries` for the image, unless the command line says otherwise.
    static func settings(config: Config, overrides: [RegistryOverride],
                         helpers: CredentialHelpers) -> @Sendable (ImageReference, Registries.Role) -> RegistrySettings {
        { reference, role in
            if let override = overrides.first(where: { $0.role == role }), !override.auth.isAnonymous || override.insecure {
                let credentials = helpers.credentials(for: role, host: reference.registry) ?? credentials(override.auth)
                return RegistrySettings(credentials: credentials, insecure: override.insecure)
            }
            guard let registry = config.registry(forImage: reference.name) else { return RegistrySettings() }
            let credentials = helpers.credentials(forURL: registry.url) ?? credentials(registry.auth)
            return RegistrySettings(credentials: credentials, insecure: registry.insecure)
        }
    }

    static func credentials(_ auth: RegistryAuth) -> RegistryCredentials {
        RegistryCredentials(username: auth.username, password: auth.password, token: auth.token)
    }

    /// TLS and plain-HTTP settings per host, from `insecure` / `ca` of each registry.
    static func hostOptions(config: Config, images: [ImageSpec], overrides: [RegistryOverride]) -> [String: HostOptions] {
        var hosts: [String: HostOptions] = [:]
        for registry in config.sync.registries where registry.insecure || registry.ca != nil {
            let host = String(registry.url.split(separator: "/").first ?? "")
            hosts[host] = HostOptions(verifyTLS: !registry.insecure, caBundlePath: registry.ca, plainHTTP: registry.insecure)
        }
        for image in images {
            for override in overrides where override.insecure {
                let references = override.role == .source ? [image.source] : image.targets
                for case let reference? in references.map({ try? ImageReference($0) }) {
                    hosts[reference.registry] = HostOptions(verifyTLS: false, plainHTTP: true)
                }
            }
        }
        return hosts
    }
}
