/// A private ECR registry's host name, `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`: it
/// names the registry id (the account) and the region its API lives in.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
public struct ECRRegistryHost: Sendable, Equatable {
    public let accountID: String
    public let region: String
    public let fips: Bool

    public init(accountID: String, region: String, fips: Bool = false) {
        self.accountID = accountID; self.region = region; self.fips = fips
    }

    /// nil for any other host (a registry in front of ECR, a VPC endpoint's own name, a test registry).
    /// A `:port` and an `https://` prefix are ignored.
    public init?(_ host: String) {
        var name = Substring(host.lowercased())
        for scheme in ["https://", "http://"] where name.hasPrefix(scheme) { name = name.dropFirst(scheme.count) }
        name = name.prefix { $0 != "/" && $0 != ":" }
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "cn" { labels.removeLast() }
        guard labels.count == 6, labels[1] == "dkr", labels[2] == "ecr" || labels[2] == "ecr-fips",
              labels[4] == "amazonaws", labels[5] == "com",
              labels[0].count == 12, labels[0].allSatisfy(\.isASCIIDigit),
              !labels[3].isEmpty, labels[3].allSatisfy({ $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" }) else {
            return nil
        }
        self.init(accountID: String(labels[0]), region: String(labels[3]), fips: labels[2] == "ecr-fips")
    }

    /// The ECR API endpoint for `region`: `https://api.ecr.<region>.amazonaws.com` (FIPS and China
    /// partitions have their own names).
    /// https://docs.aws.amazon.com/general/latest/gr/ecr.html
    public static func apiEndpoint(region: String, fips: Bool = false) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return fips ? "https://ecr-fips.\(region).\(suffix)" : "https://api.ecr.\(region).\(suffix)"
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
