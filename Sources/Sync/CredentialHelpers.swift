import AWS
import Config
import HTTP
import Logging
import OCI

/// The credential helpers (`auth.helper`) of the config's registries and of the `sync` command's
/// flags, built once at start-up so that every job of a registry shares one, and so that an unknown
/// helper or a missing region or AWS credentials stops the program before any work.
struct CredentialHelpers: Sendable {
    /// By `sync.registries[].url`.
    private var byURL: [String: HelperCredentials] = [:]
    /// By role and registry host, for `--source-helper` / `--target-helper`.
    private var byOverride: [String: HelperCredentials] = [:]

    init(config: Config, images: [ImageSpec], overrides: [RegistryOverride], http: HTTPClient,
         environment: [String: String], logger: Logger) throws {
        let factory = Factory(configuredRegion: config.ecr.region, http: http, environment: environment, logger: logger)
        for registry in config.sync.registries where !registry.auth.helper.isEmpty && byURL[registry.url] == nil {
            byURL[registry.url] = try factory.make(registry.auth, registry: Self.host(of: registry.url),
                                                   what: "registry \"\(registry.name)\" (\(registry.url))")
        }
        for override in overrides where !override.auth.helper.isEmpty {
            let flag = override.role == .source ? "--source-helper" : "--target-helper"
            for host in Self.hosts(of: images, role: override.role) where byOverride[Self.key(override.role, host)] == nil {
                byOverride[Self.key(override.role, host)] = try factory.make(override.auth, registry: host, what: "\(flag) for \(host)")
            }
        }
    }

    func credentials(forURL url: String) -> RegistryCredentials? { byURL[url].map { .helper($0) } }

    func credentials(for role: Registries.Role, host: String) -> RegistryCredentials? {
        byOverride[Self.key(role, host)].map { .helper($0) }
    }

    private static func key(_ role: Registries.Role, _ host: String) -> String { "\(role)|\(host)" }

    /// The registry hosts of the images' sources or targets (bucket targets have none).
    private static func hosts(of images: [ImageSpec], role: Registries.Role) -> [String] {
        images.flatMap { role == .source ? [$0.source] : $0.targets }.compactMap { try? ImageReference($0).registry }
    }

    private struct Factory {
        let configuredRegion: String
        let http: HTTPClient
        let environment: [String: String]
        let logger: Logger

        /// The one helper there is: `ecr`, for private ECR and ECR Public (`public.ecr.aws`) alike.
        /// The entry's username / password, when set, are the AWS access key.
        func make(_ auth: RegistryAuth, registry: String, what: String) throws -> HelperCredentials {
            guard auth.helper == "ecr" else {
                throw CredentialHelperError("\(what): unknown credential helper \"\(auth.helper)\"; the only helper is \"ecr\" "
                    + "(leave helper empty to use username / password / token)")
            }
            guard !registry.hasPrefix("r2:"), !registry.hasPrefix("s3:") else {
                throw CredentialHelperError("\(what): helper ecr is for ECR registries, not buckets")
            }
            guard auth.token.isEmpty, auth.username.isEmpty == auth.password.isEmpty else {
                throw CredentialHelperError("\(what): with helper ecr, leave token empty, and set username and password together "
                    + "(as an AWS access key id and secret access key) or neither (AWS credentials from the environment)")
            }
            let accessKey = auth.username.isEmpty ? nil : AWSCredentials(accessKeyID: auth.username, secretAccessKey: auth.password)
            do {
                let ecr = try ECRHelper(registry: registry, http: http, configuredRegion: configuredRegion,
                                        accessKey: accessKey, environment: environment)
                return HelperCredentials(helper: ECRCredentialHelper(ecr: ecr, logger: logger))
            } catch let error as ECRHelperError {
                throw CredentialHelperError("\(error)")
            }
        }
    }

    /// `https://host:port/path` → `host:port`.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        return String(rest.prefix { $0 != "/" })
    }
}

/// A credential helper that cannot be set up as configured; printed as the error of the command.
public struct CredentialHelperError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
