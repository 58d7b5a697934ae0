extension SyncConfig {
    /// The registry entry for an image reference: the one whose `url` is the longest prefix
    /// of `reference` ending on a path-segment boundary. `docker.io` matches
    /// `docker.io/library/ubuntu` but not `docker.iox/a`; `ghcr.io/org` beats `ghcr.io`;
    /// bucket urls (`r2:acct:bucket`) also end at a `:` (`r2:acct:bucket:image`).
    /// An `http://` or `https://` scheme on either side is ignored.
    public func registry(forImage reference: String) -> RegistryConfig? {
        let image = Self.withoutScheme(reference)
        var best: (registry: RegistryConfig, length: Int)?
        for registry in registries {
            let prefix = Self.withoutScheme(registry.url)
            guard !prefix.isEmpty, Self.image(image, isUnder: prefix) else { continue }
            if prefix.count > best?.length ?? -1 { best = (registry, prefix.count) }
        }
        return best?.registry
    }

    private static func image(_ image: String, isUnder prefix: String) -> Bool {
        guard image.hasPrefix(prefix) else { return false }
        let next = image.dropFirst(prefix.count).first
        switch next {
        case nil, "/": return true
        case ":": return isBucket(prefix)
        default: return false
        }
    }

    /// `r2:` and `s3:` urls name buckets; their parts are separated by `:`, not `/`.
    static func isBucket(_ url: String) -> Bool {
        url.hasPrefix("r2:") || url.hasPrefix("s3:")
    }

    private static func withoutScheme(_ text: String) -> String {
        var result = Substring(text)
        for scheme in ["https://", "http://"] where result.hasPrefix(scheme) {
            result = result.dropFirst(scheme.count)
        }
        while result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
