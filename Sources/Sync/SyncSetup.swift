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

    public init(config: Config, images: [ImageSpec]? = nil, overrides: [RegistryOverride] = [], dryRun: Bool = false,
                concurrency: Int? = nil, logger: Logger) throws {
        let hosts = Self.hostOptions(config: config, images: images ?? [], overrides: overrides)
        let concurrency = concurrency ?? max(config.sync.concurrency.tags, config.sync.concurrency.blobs)
        var http = HTTPClient.Configuration()
        http.hosts = hosts
        // A streamed blob copy holds two transfer threads (the GET and the PUT) at once.
        http.maxTransferThreads = max(http.maxTransferThreads, concurrency * 2 + 8)
        Self.warnAboutHelpers(config.sync.registries.map(\.auth) + overrides.map(\.auth), logger: logger)
        for image in config.sync.images where image.purge {
            logger.warning("purge is not supported by this version yet: no tag of \(image.targets.joined(separator: ", ")) is deleted")
        }
        let settings = Self.settings(config: config, overrides: overrides)
        registries = Registries(http: HTTPClient(configuration: http), logger: logger, settings: settings)
        var options = EngineOptions()
        options.concurrency = concurrency
        options.perRegistry = config.sync.concurrency.perRegistry
        options.backoff = Backoff(attempts: config.sync.retry.attempts, initial: config.sync.retry.initialBackoff.duration,
                                  maximum: config.sync.retry.maxBackoff.duration)
        options.dryRun = dryRun
        self.options = options
        self.images = images ?? config.sync.images.map { image in
            ImageSpec(source: image.source, targets: image.targets,
                      policy: TagPolicy(tags: image.tags, mutableTags: image.mutableTags, ignoredTags: image.ignoredTags))
        }
    }

    /// Longest `url` prefix of `sync.registries` for the image, unless the command line says otherwise.
    static func settings(config: Config, overrides: [RegistryOverride]) -> @Sendable (ImageReference, Registries.Role) -> RegistrySettings {
        { reference, role in
            if let override = overrides.first(where: { $0.role == role }), !override.auth.isAnonymous || override.insecure {
                return RegistrySettings(credentials: credentials(override.auth), insecure: override.insecure)
            }
            guard let registry = config.registry(forImage: reference.name) else { return RegistrySettings() }
            return RegistrySettings(credentials: credentials(registry.auth), insecure: registry.insecure)
        }
    }

    static func credentials(_ auth: RegistryAuth) -> RegistryCredentials {
        RegistryCredentials(username: auth.username, password: auth.password, token: auth.token)
    }

    /// Once, at start-up: helpers (`ecr`) are not implemented yet.
    static func warnAboutHelpers(_ auths: [RegistryAuth], logger: Logger) {
        for helper in Set(auths.map(\.helper)).subtracting([""]).sorted() {
            logger.warning("credential helper \"\(helper)\" is not supported by this version; using the static credentials")
        }
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
