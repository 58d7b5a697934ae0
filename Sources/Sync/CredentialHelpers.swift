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
        for registry in config.sync.registries where !registry.auth.helper.isEmpty && byURL[registry.url] == nil {
            let host = Self.host(of: registry.url)
            byURL[registry.url] = try Self.make(registry.auth, registry: host, what: "registry \"\(registry.name)\" (\(registry.url))",
                                                config: config, http: http, environment: environment, logger: logger)
        }
        for override in overrides where !override.auth.helper.isEmpty {
            let flag = override.role == .source ? "--source-helper" : "--target-helper"
            for image in images {
                let references = override.role == .source ? [image.source] : image.targets
                for case let host? in references.map({ try? ImageReference($0).registry }) where byOverride[Self.key(override.role, host)] == nil {
                    byOverride[Self.key(override.role, host)] = try Self.make(
                        override.auth, registry: host, what: "\(flag) for \(host)", config: config, http: http,
                        environment: environment, logger: logger)
                }
            }
        }
    }

    func credentials(forURL url: String) -> RegistryCredentials? { byURL[url].map { .helper($0) } }

    func credentials(for role: Registries.Role, host: String) -> RegistryCredentials? {
        byOverride[Self.key(role, host)].map { .helper($0) }
    }

    private static func key(_ role: Registries.Role, _ host: String) -> String { "\(role)|\(host)" }

    /// The one helper there is: `ecr`. The entry's username / password, when set, are the AWS access key.
    private static func make(_ auth: RegistryAuth, registry: String, what: String, config: Config, http: HTTPClient,
                             environment: [String: String], logger: Logger) throws -> HelperCredentials {
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
            let ecr = try ECRHelper(registry: registry, http: http, configuredRegion: config.ecr.region,
                                    accessKey: accessKey, environment: environment)
            return HelperCredentials(helper: ECRCredentialHelper(ecr: ecr, logger: logger))
        } catch let error as ECRHelperError {
            throw CredentialHelperError("\(error)")
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
