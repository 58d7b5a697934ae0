/// ECR Public: one registry host for every account, `public.ecr.aws/<registry alias>/<repository>`,
/// whose API is served from us-east-1 only (`api.ecr-public.us-east-1.amazonaws.com`).
/// https://docs.aws.amazon.com/AmazonECR/latest/public/public-registries.html
/// https://docs.aws.amazon.com/general/latest/gr/ecr-public.html
public enum ECRPublicRegistry {
    public static let host = "public.ecr.aws"
    /// GetAuthorizationToken is only answered here, whatever region the caller works in.
    public static let region = "us-east-1"
    public static let apiEndpoint = "https://api.ecr-public.us-east-1.amazonaws.com"

    /// The API's repository name for an image path: the path without its first component, the
    /// registry alias (`my-alias/team/app` → `team/app`). nil when the path has no alias.
    public static func repositoryName(forPath path: String) -> String? {
        guard let slash = path.firstIndex(of: "/"), path.index(after: slash) < path.endIndex else { return nil }
        return String(path[path.index(after: slash)...])
    }
}

/// Which ECR API a registry host is served by, and for private ECR what the host name tells.
public enum ECRRegistryKind: Sendable, Equatable {
    /// `public.ecr.aws`.
    case `public`
    /// An ECR registry name (`<account>.dkr.ecr.<region>.amazonaws.com`), or nil for any other host
    /// (a mirror, a VPC endpoint's name, a test registry): private ECR with the configured region.
    case `private`(ECRRegistryHost?)

    /// A `:port`, an `https://` prefix, a path and the case are ignored.
    public init(_ host: String) {
        var name = Substring(host.lowercased())
        for scheme in ["https://", "http://"] where name.hasPrefix(scheme) { name = name.dropFirst(scheme.count) }
        name = name.prefix { $0 != "/" && $0 != ":" }
        self = name == Substring(ECRPublicRegistry.host) ? .public : .private(ECRRegistryHost(host))
    }

    public var service: ECRService {
        if case .public = self { return .public }
        return .private
    }
}
