import Foundation
import HTTP

/// `helper: ecr` for one registry, private ECR or ECR Public: registry passwords from
/// GetAuthorizationToken, and repositories created before the first push (ECR, unlike other
/// registries, refuses a push to a missing one). One per registry per process, so every job shares its work.
public final class ECRHelper: Sendable {
    /// The registry host as configured (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `public.ecr.aws`).
    public let registry: String
    /// The account, when a private registry's host names one; sent as `registryIds` / `registryId`.
    public let registryID: String?
    public let client: ECRClient
    private let repositories = RepositoryGate()

    /// Resolves the region, endpoint and credentials now, so a missing one fails at start-up.
    /// - Region: ECR Public's is us-east-1. For private ECR: from the host name, else
    ///   `configuredRegion` (the config's `ecr.region`), else `AWS_REGION` / `AWS_DEFAULT_REGION`.
    /// - Endpoint: `AWS_ENDPOINT_URL_ECR` (`AWS_ENDPOINT_URL_ECR_PUBLIC`), else `AWS_ENDPOINT_URL`,
    ///   else the service's API in that region.
    /// - Credentials: `accessKey` (the registry entry's username / password) when given, else the
    ///   environment and shared credentials file (`AWSCredentialChain`), read anew on each call.
    public init(registry: String, http: HTTPClient, configuredRegion: String, accessKey: AWSCredentials? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let kind = ECRRegistryKind(registry)
        let region = try Self.region(of: kind, registry: registry, configured: configuredRegion, environment: environment)
        let endpoint = Self.nonEmpty(environment[kind.service.endpointVariable]) ?? Self.nonEmpty(environment["AWS_ENDPOINT_URL"])
            ?? Self.defaultEndpoint(of: kind, region: region)
        let credentials = Self.credentials(registry: registry, accessKey: accessKey, environment: environment)
        _ = try credentials()
        self.registry = registry
        if case .private(let host) = kind { self.registryID = host?.accountID } else { self.registryID = nil }
        self.client = ECRClient(http: http, endpoint: endpoint, region: region, service: kind.service, credentials: credentials)
    }

    private static func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }

    private static func region(of kind: ECRRegistryKind, registry: String, configured: String,
                               environment: [String: String]) throws -> String {
        guard case .private(let host) = kind else { return ECRPublicRegistry.region }
        guard let region = host?.region ?? nonEmpty(configured)
                ?? nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) else {
            throw ECRHelperError.missingRegion(registry: registry)
        }
        return region
    }

    private static func defaultEndpoint(of kind: ECRRegistryKind, region: String) -> String {
        switch kind {
        case .public: return ECRPublicRegistry.apiEndpoint
        case .private(let host): return ECRRegistryHost.apiEndpoint(region: region, fips: host?.fips ?? false)
        }
    }

    private static func credentials(registry: String, accessKey: AWSCredentials?,
                                    environment: [String: String]) -> @Sendable () throws -> AWSCredentials {
        if let accessKey { return { accessKey } }
        let chain = AWSCredentialChain(environment: environment)
        return {
            do { return try chain.resolve() } catch let error as AWSCredentialsError {
                throw ECRHelperError.missingCredentials(registry: registry, error)
            }
        }
    }

    /// A fresh registry user name and password.
    public func authorization() async throws -> ECRAuthorization {
        do {
            return try await client.getAuthorizationToken(registryID: registryID)
        } catch var error as AWSServiceError {
            error.registry = registry
            throw error
        }
    }

    public enum RepositoryState: Sendable, Equatable {
        case existed
        case created
        /// DescribeRepositories was refused (a policy allowing pushes but not describing): the push goes ahead.
        case unchecked(reason: String)
    }

    /// Makes sure `repository` (the image path in the registry) exists, once per process: nil when
    /// that was already done (or is being done by another job, which this call waits for).
    public func ensureRepository(_ repository: String) async throws -> RepositoryState? {
        do {
            return try await repositories.once(repository) { [client, registryID] in
                guard let name = Self.apiRepositoryName(repository, service: client.service) else {
                    return .unchecked(reason: "an ECR Public image path is <registry alias>/<repository>, "
                        + "and \(repository) names no repository after the alias")
                }
                do {
                    if try await client.repositoryExists(name, registryID: registryID) { return .existed }
                } catch let error as AWSServiceError where error.code == "AccessDeniedException" {
                    return .unchecked(reason: error.message)
                }
                return try await client.createRepository(name, registryID: registryID) ? .created : .existed
            }
        } catch var error as AWSServiceError {
            error.registry = registry
            throw error
        }
    }

    /// The name the API knows a repository by: the image path for ECR; for ECR Public the path
    /// without the registry alias, since the API works in the caller's own registry.
    static func apiRepositoryName(_ path: String, service: ECRService) -> String? {
        service == .public ? ECRPublicRegistry.repositoryName(forPath: path) : path
    }
}

/// Runs one piece of work per repository name, once: concurrent callers share it; a failure lets
/// the next caller try again.
actor RepositoryGate {
    private var done: Set<String> = []
    private var running: [String: Task<ECRHelper.RepositoryState, Error>] = [:]

    func once(_ name: String, _ work: @escaping @Sendable () async throws -> ECRHelper.RepositoryState) async throws
        -> ECRHelper.RepositoryState? {
        if done.contains(name) { return nil }
        if let task = running[name] {
            _ = try await task.value
            return nil
        }
        let task = Task { try await work() }
        running[name] = task
        defer { running[name] = nil }
        let state = try await task.value
        done.insert(name)
        return state
    }
}

/// The `ecr` helper cannot work for a registry as configured; says which and what to set.
public enum ECRHelperError: Error, Sendable, CustomStringConvertible {
    case missingRegion(registry: String)
    case missingCredentials(registry: String, AWSCredentialsError)

    public var description: String {
        switch self {
        case .missingRegion(let registry):
            return "registry \(registry) uses helper ecr, but no AWS region is known: the host is not an ECR registry name "
                + "(<account>.dkr.ecr.<region>.amazonaws.com), ecr.region is empty and AWS_REGION / AWS_DEFAULT_REGION are not set; "
                + "set ecr.region in the config or AWS_REGION"
        case let .missingCredentials(registry, error):
            return "registry \(registry) uses helper ecr: \(error), or the registry's auth username / password "
                + "(taken as access key id / secret access key)"
        }
    }
}
